from dataclasses import dataclass

from django.db.models import Q

from hashing.hashers import EMPTY_DIGESTS
from hashing.models import CategoryValue, HashEntry, HashList, RematchNotice


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
    """
    condition = Q()
    for name, values in digests.items():
        wanted = [value for value in values if value not in EMPTY_DIGESTS]
        if wanted:
            condition |= Q(algorithm=HashEntry.BY_NAME[name], value__any_of=wanted)
    if not condition:
        return {}
    names = HashEntry.NAMES
    found: dict[tuple[str, bytes], list[ListMatch]] = {}
    rows = HashEntry.objects.filter(condition, version__is_active=True).values_list(
        "algorithm",
        "value",
        "category",
        "version__hash_list_id",
        "version__hash_list__name",
        "version__hash_list__kind",
        "version__hash_list__default_category",
        "version__hash_list__scheme_id",
    )
    not_alerting = None
    for algorithm, value, category, list_id, list_name, kind, default_category, scheme_id in rows:
        name = names[algorithm]
        category = category or default_category
        if kind == HashList.Kind.ALERT and scheme_id is not None:
            if not_alerting is None:
                not_alerting = set(CategoryValue.objects.filter(is_alert=False).values_list("scheme_id", "code"))
            if (scheme_id, category) in not_alerting:
                # On an alert list, but in a category its scheme does not alert on (VICS 0, non-pertinent).
                kind = HashList.Kind.IGNORABLE
        found.setdefault((name, bytes(value)), []).append(ListMatch(list_id, list_name, kind, category, name))
    return found


def hash_lists_overview():
    return HashList.objects.select_related("scheme").prefetch_related("versions").order_by("name")


def rematch_notices_for(user, dossier):
    """The re-match notices of a dossier the user has not dismissed. Precondition: the user may see the dossier."""
    return (
        RematchNotice.objects.filter(dossier=dossier)
        .exclude(seen_by=user)
        .select_related("version__hash_list")
        .order_by("-created_at")[:5]
    )


def version_diff_rows(version, base):
    """("added"|"removed", algorithm, hex) for each hash in one version and not the other, streamed.

    Without a base, every entry of ``version`` is added. Iterated with a server-side cursor, so a
    diff of millions of hashes never sits in memory.
    """
    names = HashEntry.NAMES
    mine = HashEntry.objects.filter(version=version)
    theirs = HashEntry.objects.filter(version=base) if base is not None else HashEntry.objects.none()
    for change, left, right in (("added", mine, theirs), ("removed", theirs, mine)):
        rows = left.values_list("algorithm", "value").difference(right.values_list("algorithm", "value"))
        for algorithm, value in rows.iterator(chunk_size=5000):
            yield change, names[algorithm], bytes(value).hex()
