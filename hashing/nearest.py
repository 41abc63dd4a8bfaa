"""Near-duplicate search over binary codes (PDQ 256-bit, pHash 64-bit) by Hamming distance.

Plain Python: no Django here. Codes are uint8 arrays of shape (n, bits // 8). A search returns
every (query, entry, distance) with distance <= radius (inclusive, as the thresholds are written),
always exactly: what a brute-force scan would return.

Structure, chosen by measuring (bench/match.py, bench/RESULTS.md): up to ``FLAT_UP_TO`` entries a
faiss ``IndexBinaryFlat`` scan; above it, multi-index hashing (Norouzi, Punjani and Fleet, "Fast
exact search in Hamming space with multi-index hashing", 2014) in numpy. The code is cut into m
substrings of about log2(n) bits, each with a table that lists the entries by substring value
(direct addressing: an offsets array of 2^width + 1 and the entry positions sorted by value).
Pigeonhole: if r = m * s + a (0 <= a < m), an entry within r bits of the query is within s bits
on one of a + 1 chosen substrings, or within s - 1 bits on one of the others. Probing each table
with every key at that distance from the query's substring, then checking each candidate's full
distance, is exact. At 10 million PDQ entries, r = 31: 11 tables of 23-24 bits, ~2,800 probes
and ~3,000 candidates per query, ~0.22 ms a query on one core (bench/match.py). faiss
``IndexBinaryMultiHash`` (16 tables of 16 bits) is exact only with ``nflip = 1`` (272 probes of
~150 entries each, kept in hash maps): ~100 times slower; its default ``nflip = 0`` is ~4 times
slower and misses pairs (~9 % of those at distance 31); ``IndexBinaryHash`` misses 20-35 %.

The tables are plain .npy files in a folder, memory-mapped on load: worker processes on one host
share one copy through the page cache.
"""

import json
import math
import os
import shutil
from functools import lru_cache
from itertools import combinations
from pathlib import Path

import faiss
import numpy as np

FLAT_UP_TO = 20_000
WIDEST = 24  # bits of a substring: its offsets array is 4 * 2^24 bytes (64 MiB)
# The radius the tables are planned for when none is given (the product's thresholds).
PLANNED_RADIUS = {256: 31, 64: 10}
QUERY_CHUNK = 256  # queries searched together: bounds the candidate arrays to a few MiB
# One search thread per worker process: workers are the unit of parallelism (one per core).
faiss.omp_set_num_threads(1)


def as_codes(values, bits: int) -> np.ndarray:
    """bytes values (each bits // 8 long) as a uint8 array of shape (n, bits // 8)."""
    width = bits // 8
    if not values:
        return np.zeros((0, width), dtype=np.uint8)
    return np.frombuffer(b"".join(bytes(value) for value in values), dtype=np.uint8).reshape(-1, width).copy()


def _words(codes: np.ndarray) -> np.ndarray:
    """The codes as uint64 words (bits // 64 per code), for popcounts."""
    codes = np.ascontiguousarray(codes, dtype=np.uint8)
    return codes.view(np.uint64).reshape(len(codes), -1)


def brute_force(codes: np.ndarray, queries: np.ndarray, radius: int) -> list[tuple[int, int, int]]:
    """The baseline: every query against every code (numpy popcount), (query, entry, distance) sorted."""
    if not len(codes) or not len(queries):
        return []
    entries, asked = _words(codes), _words(queries)
    found = []
    for number, query in enumerate(asked):
        distances = np.bitwise_count(entries ^ query).sum(axis=1, dtype=np.int32)
        for entry in np.flatnonzero(distances <= radius):
            found.append((number, int(entry), int(distances[entry])))
    return found


def split_widths(bits: int, tables: int) -> list[int]:
    """``tables`` substring widths summing to ``bits``, as even as possible (wider ones first)."""
    base, extra = divmod(bits, tables)
    return [base + 1] * extra + [base] * (tables - extra)


def probe_radii(widths: list[int], radius: int) -> list[int]:
    """The distance to probe each substring at so that no entry within ``radius`` is missed.

    r = m * s + a: a + 1 substrings at s, the others at s - 1 (-1: not probed). The higher radius
    goes to the narrowest substrings, which have the fewest keys at a given distance.
    """
    share, rest = divmod(radius, len(widths))
    by_width = sorted(range(len(widths)), key=lambda table: (widths[table], table))
    radii = [share - 1] * len(widths)
    for table in by_width[: rest + 1]:
        radii[table] = share
    return radii


def _keys_within(width: int, radius: int) -> int:
    return sum(math.comb(width, flips) for flips in range(radius + 1)) if radius >= 0 else 0


def plan(bits: int, count: int, radius: int) -> list[int]:
    """Substring widths for ``count`` entries that minimise the estimated work of a query at ``radius``:
    the keys probed plus the candidates checked (an expected bucket holds count / 2^width entries)."""
    best, chosen = None, None
    # No table much wider than the entries are many: its offsets would be mostly empty memory.
    widest = max(8, min(WIDEST, math.ceil(math.log2(max(count, 2))) + 2))
    for tables in range(max(1, math.ceil(bits / widest)), bits // 8 + 1):
        widths = split_widths(bits, tables)
        probes = candidates = 0.0
        for width, probe in zip(widths, probe_radii(widths, radius), strict=True):
            keys = _keys_within(width, probe)
            probes += keys
            candidates += keys * count / 2**width
        cost = probes + 1.5 * candidates  # a candidate costs a little more: a gather and a popcount
        if best is None or cost < best:
            best, chosen = cost, widths
    return chosen


@lru_cache(maxsize=64)
def _flip_masks(width: int, radius: int) -> np.ndarray:
    """Every mask of ``width`` bits with at most ``radius`` bits set (uint32)."""
    masks = [0]
    for flips in range(1, radius + 1):
        masks += [sum(1 << bit for bit in chosen) for chosen in combinations(range(width), flips)]
    return np.asarray(masks, dtype=np.uint32)


def substring_keys(codes: np.ndarray, start: int, width: int) -> np.ndarray:
    """Bits [start, start + width) of each code (big-endian bit order, as np.unpackbits), as uint32."""
    first, last = start // 8, (start + width - 1) // 8
    value = np.zeros(len(codes), dtype=np.uint64)
    for column in range(first, last + 1):
        value = (value << np.uint64(8)) | codes[:, column].astype(np.uint64)
    value >>= np.uint64(8 * (last + 1) - (start + width))
    return (value & np.uint64((1 << width) - 1)).astype(np.uint32)


_NOTHING = (np.zeros(0, dtype=np.int64),) * 3


class MultiIndex:
    """Multi-index hashing over ``codes``; positions 0..n-1 are the entries' ids (see the module)."""

    def __init__(
        self,
        codes: np.ndarray,
        widths: list[int],
        orders: list[np.ndarray],
        offsets: list[np.ndarray],
        sorted_words: list[np.ndarray] | None = None,
    ):
        self.codes = codes
        self.words = _words(codes) if isinstance(codes, np.ndarray) and codes.flags.c_contiguous else None
        self.widths = widths
        self.orders = orders
        self.offsets = offsets
        # 64-bit codes (pHash): each table's codes in its own order, so that a bucket's codes are read
        # where its positions are (one cache line) rather than each at its entry: 2-3 times faster
        # (bench/RESULTS.md, perceptual_search_phash_*), for 8 bytes an entry and a table more.
        self.sorted_words = sorted_words
        self.bits = codes.shape[1] * 8

    @classmethod
    def build(cls, codes: np.ndarray, *, widths: list[int] | None = None, radius: int | None = None) -> "MultiIndex":
        codes = np.ascontiguousarray(codes, dtype=np.uint8)
        bits = codes.shape[1] * 8
        if widths is None:
            widths = plan(bits, len(codes), radius if radius is not None else PLANNED_RADIUS.get(bits, bits // 8))
        orders, offsets, start = [], [], 0
        for width in widths:
            keys = substring_keys(codes, start, width)
            orders.append(np.argsort(keys, kind="stable").astype(np.uint32))
            counts = np.bincount(keys, minlength=2**width)
            offsets.append(np.concatenate([[0], np.cumsum(counts)]).astype(np.uint32))
            start += width
        sorted_words = [np.take(_words(codes)[:, 0], order) for order in orders] if bits == 64 else None
        return cls(codes, widths, orders, offsets, sorted_words)

    def __len__(self) -> int:
        return len(self.codes)

    def search(self, queries: np.ndarray, radius: int) -> list[tuple[int, int, int]]:
        found = []
        for first in range(0, len(queries), QUERY_CHUNK):
            chunk = np.ascontiguousarray(queries[first : first + QUERY_CHUNK], dtype=np.uint8)
            asked, entries, distances = self._search_chunk(chunk, radius)
            found += zip((asked + first).tolist(), entries.tolist(), distances.tolist(), strict=True)
        found.sort()
        return found

    def _probed(self, queries: np.ndarray, radius: int):
        """Per table probed: (table, the positions in its order of every entry of the buckets probed,
        the query each was probed for), all buckets end to end, without a Python loop."""
        # np.take rather than fancy indexing: several times faster on large arrays (measured).
        start = 0
        for table, (width, probe) in enumerate(zip(self.widths, probe_radii(self.widths, radius), strict=True)):
            if probe >= 0:
                keys = substring_keys(queries, start, width)[:, None] ^ _flip_masks(width, probe)[None, :]
                offsets = self.offsets[table]
                begins = np.take(offsets, keys).astype(np.int64)
                counts = np.take(offsets, keys + 1).astype(np.int64) - begins
                total = int(counts.sum())
                if total:
                    begins, counts = begins.ravel(), counts.ravel()
                    shift = np.repeat(begins - (np.cumsum(counts) - counts), counts)
                    asked = np.repeat(np.arange(len(queries)), counts.reshape(len(queries), -1).sum(axis=1))
                    yield table, np.arange(total, dtype=np.int64) + shift, asked
            start += width

    def _search_chunk(self, queries: np.ndarray, radius: int):
        if self.sorted_words is not None:
            return self._search_chunk_sorted(queries, radius)
        asked_parts, entry_parts = [], []
        for table, positions, asked in self._probed(queries, radius):
            entry_parts.append(np.take(self.orders[table], positions))
            asked_parts.append(asked)
        if not entry_parts:
            return _NOTHING
        entries = np.concatenate(entry_parts).astype(np.int64)
        asked = np.concatenate(asked_parts)
        words = self.words if self.words is not None else _words(self.codes)
        differing = np.take(words, entries, axis=0) ^ np.take(_words(queries), asked, axis=0)
        np.bitwise_count(differing, out=differing)
        distances = differing[:, 0].copy()
        for column in range(1, differing.shape[1]):
            distances += differing[:, column]
        keep = distances <= radius
        return self._once(asked[keep], entries[keep], distances[keep].astype(np.int64))

    def _search_chunk_sorted(self, queries: np.ndarray, radius: int):
        """``_search_chunk`` for 64-bit codes: each bucket's codes read from the table's own copy."""
        asked_parts, entry_parts, distance_parts = [], [], []
        asked_words = _words(queries)[:, 0]
        for table, positions, asked in self._probed(queries, radius):
            distances = np.bitwise_count(np.take(self.sorted_words[table], positions) ^ np.take(asked_words, asked))
            keep = distances <= radius
            entry_parts.append(np.take(self.orders[table], positions[keep]).astype(np.int64))
            asked_parts.append(asked[keep])
            distance_parts.append(distances[keep].astype(np.int64))
        if not entry_parts:
            return _NOTHING
        return self._once(*(np.concatenate(parts) for parts in (asked_parts, entry_parts, distance_parts)))

    def _once(self, asked: np.ndarray, entries: np.ndarray, distances: np.ndarray):
        """An entry close on several substrings is found by several tables: report it once."""
        pairs, first = np.unique(asked * len(self) + entries, return_index=True)
        return pairs // len(self), pairs % len(self), distances[first]

    def save(self, folder: Path) -> None:
        folder.mkdir(parents=True)
        np.save(folder / "codes.npy", self.codes)
        for table, (order, offsets) in enumerate(zip(self.orders, self.offsets, strict=True)):
            np.save(folder / f"order-{table}.npy", order)
            np.save(folder / f"offsets-{table}.npy", offsets)
            if self.sorted_words is not None:
                np.save(folder / f"words-{table}.npy", self.sorted_words[table])
        (folder / "widths.json").write_text(json.dumps(self.widths))

    @classmethod
    def load(cls, folder: Path) -> "MultiIndex":
        widths = json.loads((folder / "widths.json").read_text())
        orders = [np.load(folder / f"order-{table}.npy", mmap_mode="r") for table in range(len(widths))]
        offsets = [np.load(folder / f"offsets-{table}.npy", mmap_mode="r") for table in range(len(widths))]
        # An index saved before the sorted copies were kept is searched as it was.
        sorted_words = None
        if all((folder / f"words-{table}.npy").exists() for table in range(len(widths))):
            sorted_words = [np.load(folder / f"words-{table}.npy", mmap_mode="r") for table in range(len(widths))]
        index = cls(np.load(folder / "codes.npy", mmap_mode="r"), widths, orders, offsets, sorted_words)
        index.words = np.asarray(index.codes).view(np.uint64).reshape(len(index.codes), -1)
        return index


class HammingIndex:
    """A read-only index over binary codes; positions (0..n-1) are the entries' ids."""

    def __init__(self, index, bits: int):
        self.index = index
        self.bits = bits

    @classmethod
    def build(cls, codes: np.ndarray, *, structure: str = "auto", radius: int | None = None) -> "HammingIndex":
        """Build over ``codes`` (uint8, shape (n, bits // 8)); ``structure`` is auto, flat or multiindex.

        ``radius`` is the search radius the tables are planned for (any radius is searched exactly).
        """
        bits = codes.shape[1] * 8
        if structure == "auto":
            structure = "flat" if len(codes) <= FLAT_UP_TO else "multiindex"
        if structure == "flat":
            index = faiss.IndexBinaryFlat(bits)
            if len(codes):
                index.add(np.ascontiguousarray(codes, dtype=np.uint8))
            return cls(index, bits)
        return cls(MultiIndex.build(codes, radius=radius), bits)

    def __len__(self) -> int:
        return len(self.index) if isinstance(self.index, MultiIndex) else self.index.ntotal

    def search(self, queries: np.ndarray, radius: int) -> list[tuple[int, int, int]]:
        """(query, entry, distance) for every entry within ``radius`` bits (inclusive) of a query, sorted."""
        if not len(self) or not len(queries):
            return []
        if isinstance(self.index, MultiIndex):
            return self.index.search(queries, radius)
        # faiss's binary range search keeps distances strictly below its radius.
        limits, distances, labels = self.index.range_search(np.ascontiguousarray(queries, dtype=np.uint8), radius + 1)
        found = []
        for number in range(len(queries)):
            for position in range(limits[number], limits[number + 1]):
                found.append((number, int(labels[position]), int(distances[position])))
        found.sort()
        return found

    def save(self, path: Path) -> None:
        """Write the index to ``path`` atomically (a reader never sees half of it): a faiss file for a
        flat index, a folder of .npy files for a multi-index."""
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(f"{path.name}.partial-{os.getpid()}")
        if partial.is_dir():
            shutil.rmtree(partial)
        if isinstance(self.index, MultiIndex):
            self.index.save(partial)
            try:
                partial.replace(path)
            except OSError:
                # Another process wrote the same index first (a folder cannot be replaced): keep
                # theirs, which readers may have open.
                shutil.rmtree(partial, ignore_errors=True)
                if not path.is_dir():
                    raise
        else:
            faiss.write_index_binary(self.index, str(partial))
            partial.replace(path)

    @classmethod
    def load(cls, path: Path) -> "HammingIndex":
        if path.is_dir():
            index = MultiIndex.load(path)
            return cls(index, index.bits)
        index = faiss.read_index_binary(str(path))
        return cls(index, index.d)
