from dataclasses import dataclass

from django.db.models import Q

from hashing.hashers import EMPTY_DIGESTS
from hashing.models import HashEntry, HashList


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
            condition |= Q(algorithm=HashEntry.BY_NAME[name], value__in=wanted)
    if not condition:
        return {}
    names = {number: name for name, number in HashEntry.BY_NAME.items()}
    found: dict[tuple[str, bytes], list[ListMatch]] = {}
    rows = HashEntry.objects.filter(condition, version__is_active=True).values_list(
        "algorithm",
        "value",
        "category",
        "version__hash_list_id",
        "version__hash_list__name",
        "version__hash_list__kind",
        "version__hash_list__default_category",
    )
    for algorithm, value, category, list_id, list_name, kind, default_category in rows:
        name = names[algorithm]
        found.setdefault((name, bytes(value)), []).append(
            ListMatch(list_id, list_name, kind, category or default_category, name)
        )
    return found


def hash_lists_overview():
    return HashList.objects.prefetch_related("versions").order_by("name")
