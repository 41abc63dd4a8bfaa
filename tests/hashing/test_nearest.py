"""The Hamming index without a database: both structures give exactly what brute force gives."""

import numpy as np
import pytest

from hashing.nearest import HammingIndex, as_codes, brute_force


def flipped(codes: np.ndarray, rng, flips: int) -> np.ndarray:
    bits = np.unpackbits(codes, axis=1)
    for row in bits:
        row[rng.choice(bits.shape[1], flips, replace=False)] ^= 1
    return np.packbits(bits, axis=1)


@pytest.mark.parametrize(("bits", "radius"), [(256, 31), (64, 10)])
@pytest.mark.parametrize("structure", ["flat", "multiindex"])
def test_the_index_finds_what_brute_force_finds_up_to_the_threshold_inclusive(bits, radius, structure):
    rng = np.random.default_rng(5)
    codes = rng.integers(0, 256, size=(3000, bits // 8), dtype=np.uint8)
    # Queries at every distance around the threshold: radius - 1, radius (kept), radius + 1 (not kept).
    queries = np.vstack(
        [flipped(codes[:40], rng, flips) for flips in (0, 3, radius - 1, radius, radius + 1)]
        + [rng.integers(0, 256, size=(50, bits // 8), dtype=np.uint8)]
    )
    index = HammingIndex.build(codes, structure=structure)
    found = index.search(queries, radius)
    assert found == brute_force(codes, queries, radius)
    distances = {(query, entry): distance for query, entry, distance in found}
    assert distances[(3 * 40, 0)] == radius  # exactly at the threshold: a match
    assert (4 * 40, 0) not in distances  # one bit past it: none


def test_an_index_saved_and_loaded_answers_the_same(tmp_path):
    rng = np.random.default_rng(6)
    codes = rng.integers(0, 256, size=(500, 32), dtype=np.uint8)
    queries = flipped(codes[:20], rng, 12)
    for structure in ("flat", "multiindex"):
        index = HammingIndex.build(codes, structure=structure)
        index.save(tmp_path / f"{structure}.faiss")
        loaded = HammingIndex.load(tmp_path / f"{structure}.faiss")
        assert len(loaded) == 500
        assert loaded.search(queries, 31) == index.search(queries, 31)


def test_empty_index_and_codes_from_bytes():
    codes = as_codes([b"\x00" * 8, b"\xff" * 8], 64)
    assert codes.shape == (2, 8)
    assert HammingIndex.build(as_codes([], 64)).search(codes, 10) == []
    assert HammingIndex.build(codes).search(as_codes([b"\x00" * 7 + b"\x01"], 64), 1) == [(0, 0, 1)]
