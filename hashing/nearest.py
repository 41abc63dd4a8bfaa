"""Near-duplicate search over binary codes (PDQ 256-bit, pHash 64-bit) by Hamming distance.

Plain Python: no Django here. Codes are uint8 arrays of shape (n, bits // 8). A search returns
every (query, entry, distance) with distance <= radius (inclusive, as the thresholds are written).

Structure, chosen by measuring (bench/match.py, FIELD-NOTES): below ``FLAT_UP_TO`` entries a
faiss ``IndexBinaryFlat`` scan is exact and fast enough; above it, multi-index hashing (faiss
``IndexBinaryMultiHash``): the code is cut into ``bits // 16`` substrings of 16 bits, one hash
table each. By the pigeonhole principle a code within ``radius`` agrees with the query on some
substring up to ``radius // tables`` bits, so probing each table with that many bit flips
(``nflip``) is exact. Measured at 10 million PDQ entries on one core, exact probing answers ~75
queries/s, probing the exact substrings only (nflip 0) ~1,700/s, and misses ~1 % of the matches at
20 bits and ~9 % at 31 (a substring must survive untouched): ``exact`` chooses. faiss's binary range
search keeps distances strictly below its radius: it is passed radius + 1.
"""

from pathlib import Path

import faiss
import numpy as np

FLAT_UP_TO = 200_000
SUBSTRING_BITS = 16
# One search thread per worker process: workers are the unit of parallelism (one per core).
faiss.omp_set_num_threads(1)


def as_codes(values, bits: int) -> np.ndarray:
    """bytes values (each bits // 8 long) as a uint8 array of shape (n, bits // 8)."""
    width = bits // 8
    if not values:
        return np.zeros((0, width), dtype=np.uint8)
    return np.frombuffer(b"".join(bytes(value) for value in values), dtype=np.uint8).reshape(-1, width).copy()


def brute_force(codes: np.ndarray, queries: np.ndarray, radius: int) -> list[tuple[int, int, int]]:
    """The baseline: every query against every code (numpy popcount), (query, entry, distance) sorted."""
    if not len(codes) or not len(queries):
        return []
    words = codes.shape[1] // 8
    entries = np.ascontiguousarray(codes).view(np.uint64).reshape(-1, words)
    asked = np.ascontiguousarray(queries).view(np.uint64).reshape(-1, words)
    found = []
    for number, query in enumerate(asked):
        distances = np.bitwise_count(entries ^ query).sum(axis=1, dtype=np.int32)
        for entry in np.flatnonzero(distances <= radius):
            found.append((number, int(entry), int(distances[entry])))
    return found


class HammingIndex:
    """A read-only index over binary codes; positions (0..n-1) are the entries' ids."""

    def __init__(self, index, bits: int):
        self.index = index
        self.bits = bits

    @classmethod
    def build(cls, codes: np.ndarray, *, structure: str = "auto") -> "HammingIndex":
        """Build over ``codes`` (uint8, shape (n, bits // 8)); ``structure`` is auto, flat or multihash."""
        bits = codes.shape[1] * 8
        if structure == "auto":
            structure = "flat" if len(codes) <= FLAT_UP_TO else "multihash"
        if structure == "flat":
            index = faiss.IndexBinaryFlat(bits)
        else:
            index = faiss.IndexBinaryMultiHash(bits, bits // SUBSTRING_BITS, SUBSTRING_BITS)
        if len(codes):
            index.add(np.ascontiguousarray(codes, dtype=np.uint8))
        return cls(index, bits)

    def __len__(self) -> int:
        return self.index.ntotal

    def search(self, queries: np.ndarray, radius: int, *, exact: bool = True) -> list[tuple[int, int, int]]:
        """(query, entry, distance) for every entry within ``radius`` bits (inclusive) of a query.

        A flat index is always exact; a multi-hash one is exact only with ``exact`` (see above).
        """
        if not len(self) or not len(queries):
            return []
        if isinstance(self.index, faiss.IndexBinaryMultiHash):
            self.index.nflip = radius // self.index.nhash if exact else 0
        limits, distances, labels = self.index.range_search(np.ascontiguousarray(queries, dtype=np.uint8), radius + 1)
        found = []
        for number in range(len(queries)):
            for position in range(limits[number], limits[number + 1]):
                found.append((number, int(labels[position]), int(distances[position])))
        found.sort()
        return found

    def save(self, path: Path) -> None:
        """Write the index to ``path`` atomically (a reader never sees half a file)."""
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(path.name + ".partial")
        faiss.write_index_binary(self.index, str(partial))
        partial.replace(path)

    @classmethod
    def load(cls, path: Path) -> "HammingIndex":
        index = faiss.read_index_binary(str(path))
        return cls(index, index.d)
