"""Where the image is here, look at it: a possible match to a file already categorised in this
installation is verified with local features (``hashing.keypoints``: ORB keypoints, a similarity
fitted by RANSAC, a cell-by-cell look), which survive the crops, tilts and overlays that move both
perceptual hashes; a verified candidate becomes a near match, with what the check found.

Both sides are read from their thumbnails (256 px, in the derived store since ingestion): no
evidence is opened again, and a check costs a few milliseconds. Off the hot path: only files whose
best candidate is a possible match against a known file are looked at, at most
``CHECKS_PER_FILE`` candidates each. Measured in bench/keypoints.py (on thumbnails: 0.93 of 440
altered copies verified, none of 7,140 pairs of distinct hard images).
"""

import dataclasses
import io
import logging

from config.messages import MessageError
from config.store import read_derived
from evidence.models import EvidenceFile
from hashing.keypoints import describe_stream, verify
from hashing.near_matching import NEAR, POSSIBLE, NearMatch

log = logging.getLogger(__name__)
CHECKS_PER_FILE = 3


def promote_verified(files, found: dict[int, list[NearMatch]]) -> int:
    """Look at the possible matches of ``files`` (by position, as ``near_matches`` gives them) that are
    against a known file; put a verified one first, as a near match. Returns how many were promoted."""
    asking = {
        position: [m for m in matches if m.strength == POSSIBLE and m.file_id][:CHECKS_PER_FILE]
        for position, matches in found.items()
        if matches[0].strength != NEAR and _looks_at(files[position])
    }
    asking = {position: matches for position, matches in asking.items() if matches}
    if not asking:
        return 0
    wanted = {match.file_id for matches in asking.values() for match in matches}
    thumbnails = dict(EvidenceFile.objects.filter(pk__in=wanted).exclude(thumbnail="").values_list("pk", "thumbnail"))
    described: dict[str, object] = {}
    promoted = 0
    for position, matches in asking.items():
        mine = _features(files[position].thumbnail, described)
        for match in matches:
            theirs = _features(thumbnails.get(match.file_id, ""), described)
            if mine is None or theirs is None:
                continue
            check = verify(theirs, mine)
            if check.verified:
                near = dataclasses.replace(
                    match,
                    strength=NEAR,
                    verified=(("inliers", check.inliers), ("agreement", check.agreement)),
                )
                found[position] = [near, *(m for m in found[position] if m is not match)]
                promoted += 1
                break
    return promoted


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
