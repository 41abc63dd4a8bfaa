"""Near-duplicate matching of evidence files: a batch of files against the perceptual entries of the
active alert lists (asked of ``hashing.near_matching``) and against the files already categorised in
this installation (``evidence.triage.file_index``).

A query is an image's PDQ and pHash with their variants, or the same for each sampled keyframe of a
video (``hashing.near_matching.perceptual_queries``). Each candidate (a list entry, a known file) gets
the smallest distance of each hash over the file's queries, the other hash's distance computed too
where the search found only one, and ``hashing.near_matching.match_strength`` says whether it is a
near match, a possible match or nothing (with the file's flat share: a document or a screen asks
more); a video against a known video is decided by the share of
its keyframes that match in order instead (``evidence.triage.video_matching``). The candidates come
back strongest first: the caller takes the first one no reviewer rejected for that file.
"""

import numpy as np
from django.conf import settings

from evidence.models import EvidenceFile, VideoFrame
from evidence.triage.file_index import file_hits
from evidence.triage.video_matching import attach_frame_shares
from hashing.indexes import PERCEPTUAL
from hashing.near_matching import (
    NearMatch,
    decided,
    image_hashes,
    image_key,
    list_near_hits,
    perceptual_queries,
    search_radius,
)
from hashing.nearest import as_codes


def near_matches(files, frames_of: dict[int, list], *, own=()) -> dict[int, list[NearMatch]]:
    """The near and possible matches of each file (by position in ``files``) that has one, strongest
    first.

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
    codes = {name: as_codes(asked[name], bits) for name, bits in PERCEPTUAL.items()}
    radius = search_radius()
    # Per file position, per candidate: its smallest distance of each hash, and what it is.
    found: dict[int, dict[str, dict]] = {}

    def note(position: int, key: str, algorithm: str, distance: int, **what) -> None:
        candidate = found.setdefault(position, {}).setdefault(key, {"distances": {}, **what})
        if distance < candidate["distances"].get(algorithm, distance + 1):
            candidate["distances"][algorithm] = distance

    # Lists: the entries near any query, asked of hashing; an image's hashes are weighed together.
    hits = list_near_hits(codes, radius)
    listed = image_hashes(hits)
    for hit in hits:
        hashes = listed[hit.image]
        note(
            owner[hit.algorithm][hit.query],
            image_key(hashes, hit.category),
            hit.algorithm,
            hit.distance,
            category=hit.category,
            list_id=hit.list_id,
            hashes=hashes,
            listed_pdq=hashes.get("pdq"),
        )
    # Files already categorised here (known material), other than the batch's own.
    for position, file_id, algorithm, distance, category in _categorised_file_hits(files, codes, owner, radius, own):
        note(position, f"file:{file_id}:{category}", algorithm, distance, category=category, file_id=file_id)
    _known_file_hashes(found)
    _complete_distances(found, codes, owner)
    attach_frame_shares(found, frames_of)  # a video against a known video: its keyframes in order
    best: dict[int, list[NearMatch]] = {}
    for position, candidates in found.items():
        # How flat the image is decides how much a near match asks (a video's keyframes: not known).
        flat = getattr(files[position], "flat_share", None) if position not in frames_of else None
        matches = [
            match
            for key, candidate in candidates.items()
            if (match := decided(candidate.pop("distances"), key=key, flat_share=flat, **candidate)) is not None
        ]
        if matches:
            best[position] = sorted(matches, key=NearMatch.rank)
    return best


def _categorised_file_hits(files, codes, owner, radius, also_own=()):
    """(position, file id, algorithm, distance, category) of near hits against files a list or a
    reviewer has made known material (other than the batch's own and ``also_own``): the
    installation's file index (``evidence.triage.file_index``) gives the near files, the database
    says which of them are known."""
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
                yield owner[name][query], file_id, name, distance, known[file_id]


def _known_file_hashes(found: dict[int, dict[str, dict]]) -> None:
    """The perceptual hashes of the known files among the candidates (both are in the database)."""
    wanted = {c["file_id"] for candidates in found.values() for c in candidates.values() if c.get("file_id")}
    if not wanted:
        return
    stored = {}
    rows = EvidenceFile.objects.filter(pk__in=wanted).values_list("pk", "pdq", "pdq_quality", "phash")
    for pk, pdq, quality, phash in rows:
        stored[pk] = {"phash": bytes(phash)} if phash is not None else {}
        if pdq is not None and (quality or 0) >= settings.PDQ_MIN_QUALITY:
            stored[pk]["pdq"] = bytes(pdq)
    for candidates in found.values():
        for candidate in candidates.values():
            if candidate.get("file_id"):
                candidate["hashes"] = stored.get(candidate["file_id"], {})


def _complete_distances(found: dict[int, dict[str, dict]], codes, owner) -> None:
    """A candidate found by one hash gets its distance on the other too, where the listed image (or
    the known file) has it, so that both hashes decide together."""
    owners = {name: np.asarray(owner[name]) for name in PERCEPTUAL}
    for position, candidates in found.items():
        for candidate in candidates.values():
            for name, value in candidate.pop("hashes", {}).items():
                if name in candidate["distances"]:
                    continue
                mine = np.flatnonzero(owners[name] == position)
                if len(mine):
                    candidate["distances"][name] = _smallest_distance(codes[name][mine], value)


def _smallest_distance(queries: np.ndarray, value: bytes) -> int:
    target = np.frombuffer(value, dtype=np.uint8)
    return int(np.unpackbits(queries ^ target, axis=1).sum(axis=1).min())


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
    installation's file index gives the near files; the database says which still wait. Those are
    matched again (``evidence.list_tasks.review_near_copies``), which decides their strength.
    """
    frames = frames_for(known_files)
    asked: dict[str, list[bytes]] = {name: [] for name in PERCEPTUAL}
    for position, evidence_file in enumerate(known_files):
        for name, values in perceptual_queries(evidence_file, frames.get(position)).items():
            asked[name] += values
    if not any(asked.values()):
        return []
    codes = {name: as_codes(asked[name], bits) for name, bits in PERCEPTUAL.items()}
    hits = file_hits(codes, search_radius(), may_build=True)
    near_ids = {file_id for found in hits.values() for _, file_id, _ in found}
    near_ids -= {f.pk for f in known_files}
    if not near_ids:
        return []
    waiting = EvidenceFile.objects.filter(pk__in=near_ids, triage__in=EvidenceFile.NEW_STATES)
    return sorted(waiting.values_list("pk", flat=True))
