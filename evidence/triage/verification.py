"""Where the image is here, look at it: a possible match to a file already categorised in this
installation, or to a listed image of which a file here is a copy (its PDQ within
``LISTED_IMAGE_PDQ`` bits of the listed one: the same picture, re-encoded at most), is verified with
local features (``hashing.keypoints``: ORB keypoints, a similarity
fitted by RANSAC, a cell-by-cell look), which survive the crops, tilts and overlays that move both
perceptual hashes; a verified candidate becomes a near match, with what the check found.

Both sides are read from their thumbnails (256 px, in the derived store since ingestion): no
evidence is opened again, and a check costs a few milliseconds. Off the hot path: only files whose
best candidate is a possible match against a known file or a listed image here are looked at, at most
``CHECKS_PER_FILE`` candidates each. Measured in bench/keypoints.py (on thumbnails: 0.93 of 440
altered copies verified, none of 7,140 pairs of distinct hard images).
"""

import dataclasses
import io
import logging

from config.messages import MessageError
from config.store import read_derived
from evidence.models import EvidenceFile
from evidence.triage.file_index import file_hits
from hashing.keypoints import describe_stream, verify
from hashing.near_matching import NEAR, POSSIBLE, NearMatch
from hashing.nearest import as_codes

log = logging.getLogger(__name__)
CHECKS_PER_FILE = 3
# A file whose PDQ is this close to a listed image's is that image (re-encoded, resized): on the
# near-match corpus (bench/near_corpus.py) the closest distinct images were 24 bits apart.
LISTED_IMAGE_PDQ = 16


def promote_verified(files, found: dict[int, list[NearMatch]]) -> int:
    """Look at the possible matches of ``files`` (by position, as ``near_matches`` gives them) that are
    against a known file or a listed image here; put a verified one first, as a near match. Returns
    how many were promoted."""
    asking = {
        position: [m for m in matches if m.strength == POSSIBLE and (m.file_id or m.listed_pdq)][:CHECKS_PER_FILE]
        for position, matches in found.items()
        if matches[0].strength != NEAR and _looks_at(files[position])
    }
    asking = {position: matches for position, matches in asking.items() if matches}
    if not asking:
        return 0
    listed_here = _listed_images_here({m.listed_pdq for ms in asking.values() for m in ms if not m.file_id})
    wanted = {m.file_id for ms in asking.values() for m in ms if m.file_id} | set(listed_here.values())
    thumbnails = dict(EvidenceFile.objects.filter(pk__in=wanted).exclude(thumbnail="").values_list("pk", "thumbnail"))
    described: dict[str, object] = {}
    promoted = 0
    for position, matches in asking.items():
        mine = _features(files[position].thumbnail, described)
        for match in matches:
            other = match.file_id or listed_here.get(match.listed_pdq)
            if other == files[position].pk:  # the file itself: its hashes already said how near it is
                continue
            theirs = _features(thumbnails.get(other, ""), described)
            if mine is None or theirs is None:
                continue
            check = verify(theirs, mine)
            if check.verified:
                seen = (("inliers", check.inliers), ("agreement", check.agreement), ("file", other))
                near = dataclasses.replace(match, strength=NEAR, verified=seen)
                found[position] = [near, *(m for m in found[position] if m is not match)]
                promoted += 1
                break
    return promoted


def _listed_images_here(listed_pdqs: set) -> dict[bytes, int]:
    """Per listed image's PDQ, the file here closest to it within ``LISTED_IMAGE_PDQ`` bits (an image
    with a thumbnail): the listed picture's pixels, where a copy of it was ingested."""
    listed_pdqs = sorted(pdq for pdq in listed_pdqs if pdq)
    if not listed_pdqs:
        return {}
    hits = file_hits({"pdq": as_codes(listed_pdqs, 256)}, {"pdq": LISTED_IMAGE_PDQ})["pdq"]
    images = set(
        EvidenceFile.objects.filter(pk__in={file_id for _, file_id, _ in hits})
        .exclude(thumbnail="")
        .exclude(mime__startswith="video/")
        .values_list("pk", flat=True)
    )
    closest: dict[bytes, tuple[int, int]] = {}
    for query, file_id, distance in hits:
        pdq = listed_pdqs[query]
        if file_id in images and (distance, file_id) < closest.get(pdq, (LISTED_IMAGE_PDQ + 1, 0)):
            closest[pdq] = (distance, file_id)
    return {pdq: file_id for pdq, (_, file_id) in closest.items()}


def _looks_at(evidence_file) -> bool:
    """An image with a thumbnail (a video's is a contact sheet: its keyframes are matched instead)."""
    return bool(evidence_file.thumbnail) and not (evidence_file.mime or "").startswith("video/")


def _features(thumbnail: str, described: dict):
    """The local features of a thumbnail, once per call; None if it cannot be read (gone, damaged)."""
    if not thumbnail:
        return None
    if thumbnail not in described:
        try:
            described[thumbnail] = describe_stream(io.BytesIO(read_derived(thumbnail)))
        except (OSError, MessageError, ValueError) as error:
            log.warning("thumbnail %s not verified: %s", thumbnail, error)
            described[thumbnail] = None
    return described[thumbnail]
