"""Near-duplicate matching: a batch of files against the perceptual entries of the active alert lists
and against the files already categorised in this installation.

A query is an image's PDQ (with its seven rotations and mirrors, and the hashes of the image
without a uniform border) and its pHash, or the same for each sampled keyframe of a video. A PDQ
of low quality (a flat image) is not used: it matches too much. The rule, chosen by the robustness
benchmark (bench/match.py): a PDQ hit within PDQ_MATCH_DISTANCE, or a pHash hit within the tighter
PHASH_MATCH_DISTANCE; the closest hit (relative to its threshold) is reported, with its distance.
"""

from dataclasses import dataclass

from django.conf import settings

from hashing.file_index import file_hits
from hashing.indexes import PERCEPTUAL, active_indexes
from hashing.models import CategoryValue, HashEntry, HashList
from hashing.nearest import as_codes


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


def near_matches(files, frames_of: dict[int, list], *, own=()) -> dict[int, NearMatch]:
    """The best near match of each file (by position in ``files``) that has one.

    ``own``: ids of other files being decided with these (copies), never matched against.

    ``frames_of`` gives a video's keyframes by position (objects with pdq, pdq_quality, phash and
    their variants). One index search per active version and algorithm for the whole batch, and
    one query for the categorised files.
    """
    asked: dict[str, list[bytes]] = {name: [] for name in PERCEPTUAL}
    owner: dict[str, list[int]] = {name: [] for name in PERCEPTUAL}
    for position, evidence_file in enumerate(files):
        for name, values in perceptual_queries(evidence_file, frames_of.get(position)).items():
            asked[name] += values
            owner[name] += [position] * len(values)
    if not any(asked.values()):
        return {}
    radius = {"pdq": settings.PDQ_MATCH_DISTANCE, "phash": settings.PHASH_MATCH_DISTANCE}
    codes = {name: as_codes(asked[name], bits) for name, bits in PERCEPTUAL.items()}
    best: dict[int, NearMatch] = {}

    def offer(position: int, match: NearMatch) -> None:
        if position not in best or match.rank() < best[position].rank():
            best[position] = match

    # Lists: every hit's entry, then the entries' lists and categories in one query.
    hits: dict[int, list[tuple[int, str, int]]] = {}
    for loaded in active_indexes():
        if not len(codes[loaded.algorithm]):
            continue
        found = loaded.index.search(codes[loaded.algorithm], radius[loaded.algorithm])
        for query, row, distance in found:
            entry_id = int(loaded.entry_ids[row])
            hits.setdefault(entry_id, []).append((owner[loaded.algorithm][query], loaded.algorithm, distance))
    if hits:
        for entry_id, list_id, category in _alerting_entries(list(hits)):
            for position, algorithm, distance in hits[entry_id]:
                offer(position, NearMatch(algorithm, distance, category, list_id=list_id))
    # Files already categorised here (known material), other than the batch's own.
    for position, match in _categorised_file_hits(files, codes, owner, radius, own):
        offer(position, match)
    return best


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


def _categorised_file_hits(files, codes, owner, radius, also_own=()):
    """Near hits against files a list or a reviewer has made known material (other than the batch's
    own and ``also_own``): the installation's file index (``hashing.file_index``) gives the near
    files, the database says which of them are known."""
    from evidence.models import EvidenceFile

    hits = file_hits(codes, radius, may_build=True)
    near_ids = {file_id for found in hits.values() for _, file_id, _ in found}
    if not near_ids:
        return
    own = [f.pk for f in files if f.pk is not None] + list(also_own)
    known = dict(
        EvidenceFile.objects.filter(pk__in=near_ids, triage=EvidenceFile.Triage.KNOWN)
        .exclude(pk__in=own)
        .values_list("pk", "match_category")
    )
    for name, found in hits.items():
        for query, file_id, distance in found:
            if file_id in known:
                yield owner[name][query], NearMatch(name, distance, known[file_id], file_id=file_id)


def frames_for(files) -> dict[int, list]:
    """The keyframes of the videos among ``files``, by position: sampled this run, or from the database."""
    from evidence.models import VideoFrame

    frames: dict[int, list] = {}
    stored = [
        f.pk
        for f in files
        if f.pk is not None and (f.mime or "").startswith("video/") and not hasattr(f, "sampled_frames")
    ]
    by_file: dict[int, list] = {}
    if stored:
        for frame in VideoFrame.objects.filter(file_id__in=stored).order_by("file_id", "index"):
            by_file.setdefault(frame.file_id, []).append(frame)
    for position, evidence_file in enumerate(files):
        sampled = getattr(evidence_file, "sampled_frames", None)
        if sampled:
            frames[position] = sampled
        elif evidence_file.pk in by_file:
            frames[position] = by_file[evidence_file.pk]
    return frames


def near_copies_of(known_files) -> list[int]:
    """Ids of the files still awaiting a human (new images and videos) that are near ``known_files``.

    The other way round from ``near_matches``: a file just made known (by a reviewer) looks for
    the copies already ingested, in every dossier, so that a series is categorised once. The
    installation's file index gives the near files; the database says which still wait.
    """
    from evidence.models import EvidenceFile

    frames = frames_for(known_files)
    asked: dict[str, list[bytes]] = {name: [] for name in PERCEPTUAL}
    for position, evidence_file in enumerate(known_files):
        for name, values in perceptual_queries(evidence_file, frames.get(position)).items():
            asked[name] += values
    if not any(asked.values()):
        return []
    radius = {"pdq": settings.PDQ_MATCH_DISTANCE, "phash": settings.PHASH_MATCH_DISTANCE}
    codes = {name: as_codes(asked[name], bits) for name, bits in PERCEPTUAL.items()}
    hits = file_hits(codes, radius, may_build=True)
    near_ids = {file_id for found in hits.values() for _, file_id, _ in found}
    near_ids -= {f.pk for f in known_files}
    if not near_ids:
        return []
    waiting = EvidenceFile.objects.filter(pk__in=near_ids, triage__in=EvidenceFile.NEW_STATES)
    return sorted(waiting.values_list("pk", flat=True))
