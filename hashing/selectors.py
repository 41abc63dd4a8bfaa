from dataclasses import dataclass

import psycopg
from django.db import connection
from django.db.models import Q

from hashing.digestsets import as_bytes, bucket_contains, prefix_of
from hashing.hashers import EMPTY_DIGESTS
from hashing.listformats import DIGEST_BYTES
from hashing.models import CategoryValue, DigestBlock, HashEntry, HashList


@dataclass(frozen=True)
class ListMatch:
    list_id: int
    list_name: str
    kind: str
    category: str
    algorithm: str


def active_matches(digests: dict[str, set[bytes]]) -> dict[tuple[str, bytes], list[ListMatch]]:
    """Look up many digests at once in the active version of every list: one query.

    ``digests`` maps an algorithm name (md5, sha1, sha256) to the digests to look for. The empty
    file's digests are never looked up: real lists contain them and they identify nothing.
    The query reads both storages (hashing.blockstore): the rich entries equal to a wanted digest,
    and the buckets of packed digests whose prefix a wanted digest has, searched here. An entry
    row is read as a bucket of one.
    """
    wanted_in: dict[tuple[int, int], list[bytes]] = {}
    by_algorithm: dict[int, list[bytes]] = {}
    for name, values in digests.items():
        width = DIGEST_BYTES[name]
        wanted = [value for value in values if value not in EMPTY_DIGESTS and len(value) == width]
        if not wanted:
            continue
        number = int(HashEntry.BY_NAME[name])
        by_algorithm[number] = wanted
        for value in wanted:
            wanted_in.setdefault((number, prefix_of(value)), []).append(value)
    if not wanted_in:
        return {}
    rows = _lookup_rows(by_algorithm, wanted_in) if connection.vendor == "postgresql" else _orm_rows(by_algorithm)
    names = HashEntry.NAMES
    found: dict[tuple[str, bytes], list[ListMatch]] = {}
    not_alerting = None
    for algorithm, packed, category, list_id, list_name, kind, default_category, scheme_id in rows:
        packed = bytes(packed)
        hits = [value for value in wanted_in.get((algorithm, prefix_of(packed)), ()) if bucket_contains(packed, value)]
        if not hits:
            continue
        name = names[algorithm]
        category = category or default_category
        if kind == HashList.Kind.ALERT and scheme_id is not None:
            if not_alerting is None:
                not_alerting = set(CategoryValue.objects.filter(is_alert=False).values_list("scheme_id", "code"))
            if (scheme_id, category) in not_alerting:
                # On an alert list, but in a category its scheme does not alert on (VICS 0, non-pertinent).
                kind = HashList.Kind.IGNORABLE
        for value in hits:
            found.setdefault((name, value), []).append(ListMatch(list_id, list_name, kind, category, name))
    return found


# The lookups of one algorithm (PostgreSQL): the buckets holding the wanted prefixes, and the rich
# entries equal to a wanted digest, of every active version, with their list. The active versions
# are named first (an InitPlan) so that the buckets are read through their unique index; the wanted
# digests go packed in one bytea (cut up by the server), not as thousands of escaped literals.
BLOCK_LOOKUP = (
    "SELECT b.algorithm, b.digests, b.category, l.id, l.name, l.kind, l.default_category, l.scheme_id"
    " FROM hashing_digestblock b JOIN hashing_hashlistversion v ON v.id = b.version_id"
    " JOIN hashing_hashlist l ON l.id = v.hash_list_id"
    " WHERE b.version_id = ANY(ARRAY(SELECT id FROM hashing_hashlistversion WHERE is_active))"
    " AND b.algorithm = %s AND b.prefix = ANY(%s)"
)
ENTRY_LOOKUP = (
    "SELECT e.algorithm, e.value, e.category, l.id, l.name, l.kind, l.default_category, l.scheme_id"
    " FROM (SELECT substring(%s::bytea FROM i * %s + 1 FOR %s) AS value FROM generate_series(0, %s - 1) AS i) w"
    " JOIN hashing_hashentry e ON e.algorithm = %s AND e.value = w.value"
    " JOIN hashing_hashlistversion v ON v.id = e.version_id AND v.is_active"
    " JOIN hashing_hashlist l ON l.id = v.hash_list_id"
)


def _lookup_rows(by_algorithm: dict[int, list[bytes]], wanted_in: dict[tuple[int, int], list[bytes]]):
    """PostgreSQL: one statement, each list of digests or prefixes sent as one array parameter."""
    parts, parameters = [], []
    for number, wanted in by_algorithm.items():
        prefixes = sorted({prefix for algorithm, prefix in wanted_in if algorithm == number})
        parts += [BLOCK_LOOKUP, ENTRY_LOOKUP]
        width = len(wanted[0])
        parameters += [number, prefixes, b"".join(wanted), width, width, len(wanted), number]
    connection.ensure_connection()
    # Results in binary: the buckets come as bytes, not as hex text twice their size to decode.
    with psycopg.Cursor(connection.connection) as cursor:
        cursor.execute(" UNION ALL ".join(parts), parameters, binary=True)
        return cursor.fetchall()


def _orm_rows(by_algorithm: dict[int, list[bytes]]):
    """SQLite (the demo): the same rows through the ORM."""
    entry_condition, block_condition = Q(), Q()
    for number, wanted in by_algorithm.items():
        entry_condition |= Q(algorithm=number, value__in=wanted)
        block_condition |= Q(algorithm=number, prefix__in=sorted({prefix_of(value) for value in wanted}))
    list_fields = (
        "version__hash_list_id",
        "version__hash_list__name",
        "version__hash_list__kind",
        "version__hash_list__default_category",
        "version__hash_list__scheme_id",
    )
    entries = HashEntry.objects.filter(entry_condition, version__is_active=True)
    blocks = DigestBlock.objects.filter(block_condition, version__is_active=True)
    return entries.values_list("algorithm", "value", "category", *list_fields).union(
        blocks.values_list("algorithm", "digests", "category", *list_fields), all=True
    )


def hash_lists_overview():
    return HashList.objects.select_related("scheme").prefetch_related("versions").order_by("name")


def version_diff_rows(version, base):
    """("added"|"removed", algorithm, hex) for each hash in one version and not the other, streamed.

    Without a base, every entry of ``version`` is added. Versions with rich entries only are
    compared in the database with a server-side cursor; where either holds digest blocks, the
    exact digests are compared in numpy (hashing.blockstore) and the perceptual ones in the database.
    """
    from hashing.blockstore import EXACT, has_blocks, version_difference

    names = HashEntry.NAMES
    mine = HashEntry.objects.filter(version=version)
    theirs = HashEntry.objects.filter(version=base) if base is not None else HashEntry.objects.none()
    blocks = has_blocks(version.pk, base.pk if base is not None else None)
    difference = version_difference(version.pk, base.pk if base is not None else None) if blocks else {}
    for change, left, right in (("added", mine, theirs), ("removed", theirs, mine)):
        for algorithm, (added, removed) in difference.items():
            for value in as_bytes(added if change == "added" else removed):
                yield change, algorithm, value.hex()
        if blocks:
            left = left.exclude(algorithm__in=EXACT.values())
        rows = left.values_list("algorithm", "value").difference(right.values_list("algorithm", "value"))
        for algorithm, value in rows.iterator(chunk_size=5000):
            yield change, names[algorithm], bytes(value).hex()
