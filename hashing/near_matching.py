"""Near-duplicate lookups in the lists: which entries of the active alert lists are near these
perceptual hashes. Matching the evidence files (against the lists and against the files already
categorised in this installation) is evidence's (``evidence.triage.near_matching``).

A query is an image's PDQ (with its seven rotations and mirrors, and the hashes of the image
without a uniform border) and its pHash, or the same for each sampled keyframe of a video. A PDQ
of low quality (a flat image) is not used: it matches too much. The rule, chosen by the robustness
benchmark (bench/match.py): a PDQ hit within PDQ_MATCH_DISTANCE, or a pHash hit within the tighter
PHASH_MATCH_DISTANCE; the closest hit (relative to its threshold) is reported, with its distance.
"""

from dataclasses import dataclass

from django.conf import settings

from hashing.indexes import active_indexes
from hashing.models import CategoryValue, HashEntry, HashList


@dataclass(frozen=True)
class NearMatch:
    algorithm: str  # "pdq" or "phash"
    distance: int
    category: str
    list_id: int | None = None
    file_id: int | None = None

    def rank(self) -> tuple:
        threshold = settings.PDQ_MATCH_DISTANCE if self.algorithm == "pdq" else settings.PHASH_MATCH_DISTANCE
        # Closest relative to its threshold; a list entry before a file; then stable.
        return (self.distance / max(threshold, 1), self.list_id is None, self.list_id or 0, self.file_id or 0)


def usable_phash(value) -> bool:
    """pHash thresholds coefficients at their median: about half its bits are set. One with nearly
    none or all set comes from a flat image and would match every other flat image."""
    return value is not None and 8 <= int.from_bytes(bytes(value), "big").bit_count() <= 56


def _split(blob, width: int) -> list[bytes]:
    blob = bytes(blob or b"")
    return [blob[start : start + width] for start in range(0, len(blob), width)]


def perceptual_queries(evidence_file, frames=None) -> dict[str, list[bytes]]:
    """The hashes a file asks with, per algorithm: its own (an image) or its keyframes' (a video)."""
    sources = frames if frames is not None else [evidence_file]
    queries: dict[str, list[bytes]] = {"pdq": [], "phash": []}
    for source in sources:
        if source.pdq is not None and (source.pdq_quality or 0) >= settings.PDQ_MIN_QUALITY:
            queries["pdq"] += [bytes(source.pdq), *_split(source.pdq_variants, 32)]
        if usable_phash(source.phash):
            queries["phash"] += [bytes(source.phash), *_split(source.phash_variants, 8)]
    return {name: list(dict.fromkeys(values)) for name, values in queries.items()}


def list_near_hits(codes: dict, radius: dict[str, int]) -> list[tuple[str, int, NearMatch]]:
    """(algorithm, query position, match) for every entry of an active alert list, in an alerting
    category, within ``radius`` of a query code (``codes``: per algorithm, as ``nearest.as_codes``).

    One index search per active version and algorithm, then the entries' lists and categories in
    one query.
    """
    hits: dict[int, list[tuple[str, int, int]]] = {}
    for loaded in active_indexes():
        if not len(codes[loaded.algorithm]):
            continue
        found = loaded.index.search(codes[loaded.algorithm], radius[loaded.algorithm])
        for query, row, distance in found:
            entry_id = int(loaded.entry_ids[row])
            hits.setdefault(entry_id, []).append((loaded.algorithm, query, distance))
    if not hits:
        return []
    return [
        (algorithm, query, NearMatch(algorithm, distance, category, list_id=list_id))
        for entry_id, list_id, category in _alerting_entries(list(hits))
        for algorithm, query, distance in hits[entry_id]
    ]


def _alerting_entries(entry_ids: list[int]) -> list[tuple[int, int, str]]:
    """(entry id, list id, category) of those entries that are on an alert list in an alerting category."""
    rows = HashEntry.objects.filter(pk__in=entry_ids, version__hash_list__kind=HashList.Kind.ALERT).values_list(
        "pk",
        "category",
        "version__hash_list_id",
        "version__hash_list__default_category",
        "version__hash_list__scheme_id",
    )
    not_alerting = set(CategoryValue.objects.filter(is_alert=False).values_list("scheme_id", "code"))
    found = []
    for entry_id, category, list_id, default_category, scheme_id in rows:
        category = category or default_category
        if (scheme_id, category) not in not_alerting:
            found.append((entry_id, list_id, category))
    return found
