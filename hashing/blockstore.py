"""A version's exact digests across both storages: ``HashEntry`` rows and packed ``DigestBlock`` buckets.

Writes happen only in the importer, inside the transaction that makes a version ready. Reads
that need a whole version (the diff between versions, what changed for re-matching) go through
``version_digests``, which merges both storages into one sorted
numpy array per algorithm (16-32 bytes a digest, so 160 MB for ten million MD5s).
"""

import struct

import numpy as np
from django.db import connection, transaction

from hashing import digestsets
from hashing.listformats import DIGEST_BYTES
from hashing.models import DigestBlock, HashEntry

EXACT = {name: HashEntry.BY_NAME[name] for name in ("md5", "sha1", "sha256")}
BLOCK_COLUMNS = "version_id, algorithm, prefix, category, digests"


def blocks_write(*, version_id: int, algorithm: int, category: str, values: np.ndarray) -> int:
    """Store ``values`` (sorted, distinct digests of one algorithm) as buckets; return how many digests."""
    if not len(values):
        return 0
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Binary COPY, its rows built here (psycopg's write_row costs microseconds a field, and a
            # big list has hundreds of thousands of buckets): the digests go as they are.
            statement = f"COPY hashing_digestblock ({BLOCK_COLUMNS}) FROM STDIN (FORMAT BINARY)"
            with cursor.copy(statement) as copy:
                for payload in _copy_binary(version_id, algorithm, category, values):
                    copy.write(payload)
        else:
            rows = [
                (version_id, algorithm, prefix, category, packed)
                for prefix, _count, packed in digestsets.buckets(values)
            ]
            cursor.executemany(
                f"INSERT INTO hashing_digestblock ({BLOCK_COLUMNS}) VALUES (%s, %s, %s, %s, %s)",  # noqa: S608
                rows,
            )
    return len(values)


COPY_SIGNATURE = b"PGCOPY\n\xff\r\n\x00" + struct.pack(">ii", 0, 0)
COPY_TRAILER = struct.pack(">h", -1)


def _copy_binary(version_id: int, algorithm: int, category: str, values: np.ndarray, flush: int = 8 << 20):
    """PostgreSQL's binary COPY format for the buckets of ``values``, in pieces of about ``flush`` bytes.

    Each row: the field count, then each field as its length and its big-endian bytes
    (version_id int8, algorithm int2, prefix int4, category text, digests bytea).
    """
    text = category.encode()
    fixed = struct.pack(">hiqih", 5, 8, version_id, 2, algorithm)
    row = struct.Struct(f">ii i{len(text)}s i".replace(" ", ""))
    parts, size = [COPY_SIGNATURE], 0
    for prefix, _count, packed in digestsets.buckets(values):
        parts.append(fixed)
        parts.append(row.pack(4, prefix, len(text), text, len(packed)))
        parts.append(packed)
        size += len(packed) + 64
        if size >= flush:
            yield b"".join(parts)
            parts, size = [], 0
    parts.append(COPY_TRAILER)
    yield b"".join(parts)


def has_blocks(*version_ids: int | None) -> bool:
    return DigestBlock.objects.filter(version_id__in=[pk for pk in version_ids if pk]).exists()


def version_digests(version_id: int | None, algorithm: str, categories: dict[str, int] | None = None):
    """(digests, category codes): every ``algorithm`` digest of the version, sorted, from both storages.

    ``categories`` maps category text to a small number and grows as new ones are met; pass the
    same dict for two versions to compare their codes. Without a version, both arrays are empty.
    """
    width = DIGEST_BYTES[algorithm]
    categories = {} if categories is None else categories
    number = EXACT[algorithm]
    chunks, codes = [], []
    if version_id:
        blocks = DigestBlock.objects.filter(version_id=version_id, algorithm=number).order_by("prefix")
        for category, packed in blocks.values_list("category", "digests").iterator(chunk_size=2000):
            chunks.append(bytes(packed))
            code = categories.setdefault(category, len(categories))
            codes.append(np.full(len(packed) // width, code, dtype=np.int32))
        rows = HashEntry.objects.filter(version_id=version_id, algorithm=number).values_list("value", "category")
        rich_values, rich_codes = [], []
        for value, category in rows.iterator(chunk_size=20_000):
            rich_values.append(bytes(value))
            rich_codes.append(categories.setdefault(category, len(categories)))
        if rich_values:
            chunks.append(b"".join(rich_values))
            codes.append(np.asarray(rich_codes, dtype=np.int32))
        needs_sort = bool(rich_values)  # blocks come sorted; rich entries in any order
    else:
        needs_sort = False
    values = digestsets.as_array(chunks, width)
    codes_array = np.concatenate(codes) if codes else np.empty(0, dtype=np.int32)
    if needs_sort:
        order = np.argsort(values, kind="stable")
        values, codes_array = values[order], codes_array[order]
    return values, codes_array


def version_difference(new_id: int, old_id: int | None, *, with_categories: bool = False):
    """{algorithm: (added, removed)} as sorted digest arrays, between two versions' exact digests.

    With ``with_categories``, a digest whose category changed is in both (re-matching must look
    at its files again).
    """
    result = {}
    for algorithm, width in ((name, DIGEST_BYTES[name]) for name in EXACT):
        categories: dict[str, int] = {}
        new, new_codes = version_digests(new_id, algorithm, categories)
        old, old_codes = version_digests(old_id, algorithm, categories)
        if with_categories:
            new, old = _with_codes(new, new_codes, width), _with_codes(old, old_codes, width)
        # A version holds each digest once, so the (digest, category) pairs are as sorted and distinct.
        added, removed = digestsets.difference(new, old)
        if with_categories:
            added, removed = _digests_only(added, width), _digests_only(removed, width)
        result[algorithm] = (added, removed)
    return result


def _with_codes(values: np.ndarray, codes: np.ndarray, width: int) -> np.ndarray:
    """Each digest with its category code appended (4 bytes), as one fixed-width value."""
    joined = np.empty((len(values), width + 4), dtype=np.uint8)
    joined[:, :width] = values.view(np.uint8).reshape(-1, width)
    joined[:, width:] = codes.astype(">i4").view(np.uint8).reshape(-1, 4)
    return joined.view(f"S{width + 4}").ravel()


def _digests_only(values: np.ndarray, width: int) -> np.ndarray:
    raw = values.view(np.uint8).reshape(-1, width + 4)[:, :width]
    return digestsets.sorted_unique(np.ascontiguousarray(raw).view(f"S{width}").ravel())
