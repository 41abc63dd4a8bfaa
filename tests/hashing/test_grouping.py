"""Near-duplicate groups: a pure function, tested without a database."""

from hashing.grouping import near_duplicate_groups


def test_near_duplicates_are_grouped_by_pdq_distance():
    a, b, c = bytes(32), bytes([1] + [0] * 31), bytes([255] * 32)
    near_a = bytes([0xFF, 0xFF, 0xFF, 0x7F] + [0] * 28)  # 31 bits from a
    far = bytes([0xFF] * 4 + [1] + [0] * 27)  # 33 bits from a, 2 from near_a
    assert near_duplicate_groups([(1, a), (2, c), (3, b), (4, None)]) == [[1, 3], [2], [4]]
    assert near_duplicate_groups([(1, a), (2, near_a)]) == [[1, 2]]
    assert near_duplicate_groups([(1, a), (2, far)]) == [[1], [2]]
    assert near_duplicate_groups([(1, a), (2, near_a), (3, far)]) == [[1, 2, 3]]  # transitive


def test_a_page_without_hashes_is_one_group_per_file():
    assert near_duplicate_groups([(5, None), (6, None)]) == [[5], [6]]
    assert near_duplicate_groups([]) == []
