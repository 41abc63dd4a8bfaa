"""Near-duplicate matching of evidence files: a batch of files against the perceptual entries of the
active alert lists (asked of ``hashing.near_matching``) and against the files already categorised in
this installation (``evidence.triage.file_index``).

A query is an image's PDQ (with its seven rotations and mirrors, and the hashes of the image
without a uniform border) and its pHash, or the same for each sampled keyframe of a video. A PDQ
of low quality (a flat image) is not used: it matches too much. The rule, chosen by the robustness
benchmark (bench/match.py): a PDQ hit within PDQ_MATCH_DISTANCE, or a pHash hit within the tighter
PHASH_MATCH_DISTANCE; the closest hit (relative to its threshold) is reported, with its distance.
"""

from django.conf import settings

from evidence.models import EvidenceFile, VideoFrame
from evidence.triage.file_index import file_hits
from hashing.indexes import PERCEPTUAL
from hashing.near_matching import NearMatch, list_near_hits, perceptual_queries
from hashing.nearest import as_codes


def near_matches(files, frames_of: dict[int, list], *, own=()) -> dict[int, NearMatch]:
    """The best near match of each file (by position in ``files``) that has one.

    ``own``: ids of other files being decided with these (copies), never matched against.

    ``frames_of`` gives a video's keyframes by position (objects with pdq, pdq_quality, phash and
    their variants). One list lookup for the whole batch, and one query for the categorised files.
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

    # Lists: the entries near any query, asked of hashing.
    for algorithm, query, match in list_near_hits(codes, radius):
        offer(owner[algorithm][query], match)
    # Files already categorised here (known material), other than the batch's own.
    for position, match in _categorised_file_hits(files, codes, owner, radius, own):
        offer(position, match)
    return best


def _categorised_file_hits(files, codes, owner, radius, also_own=()):
    """Near hits against files a list or a reviewer has made known material (other than the batch's
    own and ``also_own``): the installation's file index (``evidence.triage.file_index``) gives the near
    files, the database says which of them are known."""
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
