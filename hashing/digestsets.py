"""Sets of exact digests as sorted numpy arrays, and their packed buckets. Plain Python: no Django here.

A list version keeps the digests that carry nothing but themselves (the bare lines of a plain
list) as buckets: all its digests of one algorithm whose first ``PREFIX_BITS`` bits are equal,
sorted and packed end to end in one byte string. Ten million MD5s make 262,144 rows of about 38
digests instead of ten million rows and a ten-million-key btree, which cost more to build than
the whole file cost to read. A lookup fetches a bucket and searches it.

Digests are handled as numpy ``S<width>`` arrays: numpy sorts and compares them as fixed-width
byte strings (memcmp order, the order of the packed buckets). Never turn one element into Python
bytes with ``.item()`` or ``tolist()``: numpy drops the trailing zero bytes of an ``S`` value.
Use ``as_bytes`` or the packed ``tobytes()``.
"""

from collections.abc import Iterable, Iterator

import numpy as np

# 2**18 buckets: about 38 MD5s (608 bytes) each for ten million, small enough for PostgreSQL to keep
# a bucket in its row (no TOAST fetch per lookup) and few enough rows to write in a blink.
PREFIX_BITS = 18
PREFIX_SHIFT = 24 - PREFIX_BITS  # the prefix is read from the first three bytes


def as_array(chunks: Iterable[bytes], width: int) -> np.ndarray:
    """Digests packed end to end (in any number of chunks) as one writable ``S<width>`` array, in order."""
    data = bytearray().join(chunks)  # writable: sorted in place, without a second copy
    return np.frombuffer(data, dtype=f"S{width}") if data else np.empty(0, dtype=f"S{width}")


def sorted_unique(values: np.ndarray) -> np.ndarray:
    """The distinct digests, sorted. ``len(values) - len(result)`` is the number of duplicates.

    A writable ``values`` is sorted in place (``as_array`` gives one): the caller's array changes.

    (Sorting the first eight bytes as integers with the row number in their low bits, then the
    few rows whose top bits tie, measured slower here than numpy's own sort of ``S<width>``.)
    """
    if len(values) < 2:
        return values
    ordered = values if values.flags.writeable else values.copy()
    ordered.sort()
    keep = np.empty(len(ordered), dtype=bool)
    keep[0] = True
    np.not_equal(ordered[1:], ordered[:-1], out=keep[1:])
    return ordered if keep.all() else ordered[keep]


def _head(values: np.ndarray) -> np.ndarray:
    """The first eight bytes of each digest as an integer: their order is the digests' order, ties aside."""
    width = values.dtype.itemsize
    return np.ascontiguousarray(values.view(np.uint8).reshape(-1, width)[:, :8]).view(">u8").ravel().astype(np.uint64)


def difference(left: np.ndarray, right: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(left minus right, right minus left) of two sorted arrays of distinct digests.

    One binary search of each left digest's first eight bytes among the right ones' (integers:
    fast), each hit confirmed on the whole digest; the rare digests whose head is shared by several
    right ones are searched again on the whole digest. The right digests found are the ones to
    drop from the right side. (``np.isin`` sorts both together with a stable sort of byte strings:
    two minutes for ten million against ten million; this takes seconds.)
    """
    if not len(left) or not len(right):
        return left, right
    last = len(right) - 1
    left_heads, right_heads = _head(left), _head(right)
    positions = np.minimum(np.searchsorted(right_heads, left_heads), last)
    present = right[positions] == left
    shared = np.flatnonzero(~present & (right_heads[positions] == left_heads))
    del left_heads, right_heads
    if len(shared):
        again = np.minimum(np.searchsorted(right, left[shared]), last)
        present[shared] = right[again] == left[shared]
        positions[shared] = again
    in_left = np.zeros(len(right), dtype=bool)
    in_left[positions[present]] = True
    return left[~present], right[~in_left]


def without(values: np.ndarray, others: np.ndarray) -> np.ndarray:
    """``values`` (sorted, distinct) minus any digest in ``others`` (any order)."""
    if not len(values) or not len(others):
        return values
    return difference(values, sorted_unique(others))[0]


def prefix_of(digest: bytes) -> int:
    return int.from_bytes(digest[:3], "big") >> PREFIX_SHIFT


def bucket_starts(values: np.ndarray) -> np.ndarray:
    """Where each possible bucket starts in ``values`` (sorted): 2**PREFIX_BITS + 1 positions.

    Found by binary search for the first digest of every bucket, instead of computing the prefix
    of ten million digests.
    """
    width = values.dtype.itemsize
    firsts = np.zeros((1 << PREFIX_BITS, width), dtype=np.uint8)
    head = (np.arange(1 << PREFIX_BITS, dtype=np.uint32) << PREFIX_SHIFT).astype(">u4")
    firsts[:, :3] = head.view(np.uint8).reshape(-1, 4)[:, 1:]
    starts = np.searchsorted(values, firsts.view(f"S{width}").ravel())
    return np.append(starts, len(values))


def buckets(values: np.ndarray) -> Iterator[tuple[int, int, bytes]]:
    """(prefix, count, packed digests) of each non-empty bucket of ``values`` (sorted, distinct)."""
    if not len(values):
        return
    starts = bucket_starts(values)
    counts = np.diff(starts)
    packed = values.tobytes()
    width = values.dtype.itemsize
    positions = starts.tolist()
    for prefix in np.flatnonzero(counts).tolist():
        start, end = positions[prefix], positions[prefix + 1]
        yield prefix, end - start, packed[start * width : end * width]


def bucket_contains(packed: bytes, digest: bytes) -> bool:
    """Is ``digest`` one of the equal-width digests packed in ``packed``?

    A bucket is a few hundred bytes: ``bytes.find`` (C) beats a bisect written in Python. A hit that
    straddles two digests is not one; the search goes on after it.
    """
    width = len(digest)
    if not width or len(packed) % width:
        return False
    position = packed.find(digest)
    while position >= 0:
        if position % width == 0:
            return True
        position = packed.find(digest, position + 1)
    return False


def as_bytes(values: np.ndarray) -> list[bytes]:
    """The digests as Python bytes, full width (trailing zero bytes kept)."""
    width = values.dtype.itemsize
    packed = values.tobytes()
    return [packed[index : index + width] for index in range(0, len(packed), width)]
