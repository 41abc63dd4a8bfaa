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


@pytest.mark.parametrize(("bits", "radius"), [(256, 31), (64, 12)])
def test_an_index_saved_and_loaded_answers_the_same(tmp_path, bits, radius):
    rng = np.random.default_rng(6)
    codes = rng.integers(0, 256, size=(500, bits // 8), dtype=np.uint8)
    queries = flipped(codes[:20], rng, radius - 2)
    for structure in ("flat", "multiindex"):
        index = HammingIndex.build(codes, structure=structure)
        index.save(tmp_path / f"{structure}.index")
        loaded = HammingIndex.load(tmp_path / f"{structure}.index")
        assert len(loaded) == 500
        assert loaded.search(queries, radius) == index.search(queries, radius) == brute_force(codes, queries, radius)


def test_a_phash_index_saved_before_its_sorted_copies_is_searched_as_before(tmp_path):
    """pHash tables keep their codes in each table's order (words-<n>.npy); a folder written before has
    none and is searched from the codes, with the same answers."""
    rng = np.random.default_rng(8)
    codes = rng.integers(0, 256, size=(3000, 8), dtype=np.uint8)
    queries = flipped(codes[:50], rng, 9)
    HammingIndex.build(codes, structure="multiindex").save(tmp_path / "phash.index")
    kept = sorted(tmp_path.glob("phash.index/words-*.npy"))
    assert kept  # control: the sorted copies are written
    newer = HammingIndex.load(tmp_path / "phash.index")
    for path in kept:
        path.unlink()
    older = HammingIndex.load(tmp_path / "phash.index")
    assert older.index.sorted_words is None and newer.index.sorted_words is not None
    assert older.search(queries, 12) == newer.search(queries, 12) == brute_force(codes, queries, 12)


def test_empty_index_and_codes_from_bytes():
    codes = as_codes([b"\x00" * 8, b"\xff" * 8], 64)
    assert codes.shape == (2, 8)
    assert HammingIndex.build(as_codes([], 64)).search(codes, 10) == []
    assert HammingIndex.build(codes).search(as_codes([b"\x00" * 7 + b"\x01"], 64), 1) == [(0, 0, 1)]


@pytest.mark.parametrize(
    ("widths", "radius"),
    [
        ([16] * 16, 31),  # one flip per table
        ([16] * 16, 10),  # 11 tables at 0 flips, 5 not probed at all
        ([24, 24, 24] + [23] * 8, 31),  # the plan at 10 million entries: tables at 2 flips and at 1
        ([22, 21, 21], 10),  # pHash at 10 million entries
        ([22, 21, 21], 12),  # and at the possible matches' radius
    ],
)
def test_multi_index_hashing_misses_no_pair_at_any_distance_up_to_the_radius(widths, radius):
    from hashing.nearest import MultiIndex

    bits = sum(widths)
    rng = np.random.default_rng(7)
    codes = rng.integers(0, 256, size=(2000, bits // 8), dtype=np.uint8)
    # Near-duplicate families too: buckets far fuller than random codes make them.
    codes[1000:] = flipped(np.repeat(codes[:100], 10, axis=0), rng, 4)
    queries = np.vstack([flipped(codes[number : number + 1], rng, number % (radius + 2)) for number in range(300)])
    index = MultiIndex.build(codes, widths=widths)
    assert index.search(queries, radius) == brute_force(codes, queries, radius)


def test_the_tables_are_planned_for_the_entries_and_the_radius():
    from hashing.nearest import plan, probe_radii

    assert plan(256, 10_000_000, 31) == [24, 24, 24] + [23] * 8
    assert probe_radii([24, 24, 24] + [23] * 8, 31) == [2, 2, 1] + [2] * 8
    assert sum(plan(64, 10_000_000, 10)) == 64
    # No table much wider than the entries are many (its offsets would be mostly empty).
    assert max(plan(256, 50_000, 31)) <= 18
