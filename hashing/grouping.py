"""Near-duplicate groups among a page of files, so that a series is categorised once. No Django here.

Union-find over every pair: a page holds at most a few hundred candidates, so the n²/2 Hamming
distances (one XOR and a popcount each) cost less than the query that fetched them.
"""

from collections.abc import Iterable, Sequence

# Meta's threshold for PDQ (256 bits): at or under it, two images are the same picture.
PDQ_RADIUS = 31


def _hamming(a: bytes, b: bytes) -> int:
    return (int.from_bytes(a, "big") ^ int.from_bytes(b, "big")).bit_count()


def near_duplicate_groups(items: Iterable[tuple[int, bytes | None]], radius: int = PDQ_RADIUS) -> list[list[int]]:
    """Group ``(id, pdq)`` pairs whose PDQ hashes are within ``radius`` bits, transitively.

    Items without a hash stay alone. Groups keep the order of their first member, and members
    keep their input order, so the page reads as it was sorted.
    """
    items = list(items)
    parent = list(range(len(items)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    hashed: Sequence[tuple[int, bytes]] = [(i, bytes(pdq)) for i, (_, pdq) in enumerate(items) if pdq]
    for position, (i, a) in enumerate(hashed):
        for j, b in hashed[position + 1 :]:
            if _hamming(a, b) <= radius:
                root_i, root_j = find(i), find(j)
                if root_i != root_j:
                    parent[max(root_i, root_j)] = min(root_i, root_j)
    groups: dict[int, list[int]] = {}
    for i, (identifier, _) in enumerate(items):
        groups.setdefault(find(i), []).append(identifier)
    return list(groups.values())
