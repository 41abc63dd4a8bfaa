"""A video against a known video, as a whole (vPDQ's idea): the share of its keyframes that match the
known video's keyframes in order.

``near_matches`` finds the known files some keyframe of a video is near (the installation's file
index holds a video's keyframes under the video's id). For each known *video* among them, every
pair (keyframe of the video, keyframe of the known one) is decided by ``match_strength`` on its two
distances (the video's keyframes ask with their PDQ variants and pHash, as ``perceptual_queries``);
the longest chain of matching pairs in the order of both videos is the share, and
``video_strength`` decides with it, not the closest pair. A known image stays matched by the closest
keyframe, as a list entry does.
"""

import numpy as np
from django.conf import settings

from evidence.models import VideoFrame
from hashing.indexes import PERCEPTUAL
from hashing.near_matching import FrameShare, longest_in_order, match_strength, perceptual_queries, usable_phash
from hashing.nearest import as_codes


def attach_frame_shares(found: dict[int, dict[str, dict]], frames_of: dict[int, list]) -> None:
    """Give each candidate that is a known video, of a file position that is a video, its
    ``FrameShare`` (as ``candidate["frames"]``): one query for all the known videos' keyframes."""
    wanted = {
        candidate["file_id"]
        for position, candidates in found.items()
        if frames_of.get(position)
        for candidate in candidates.values()
        if candidate.get("file_id")
    }
    if not wanted:
        return
    known = known_keyframes(wanted)
    for position, candidates in found.items():
        videos = [c for c in candidates.values() if c.get("file_id") in known]
        if not videos or not frames_of.get(position):
            continue
        asked = [perceptual_queries(None, [frame]) for frame in frames_of[position]]
        for candidate in videos:
            candidate["frames"] = frame_share(asked, known[candidate["file_id"]])


def known_keyframes(file_ids) -> dict[int, list[dict[str, bytes]]]:
    """Per video among ``file_ids``, its keyframes in order, each as its usable hashes (those the
    file index holds: a PDQ of quality >= PDQ_MIN_QUALITY, a pHash not from a flat image)."""
    found: dict[int, list[dict[str, bytes]]] = {}
    rows = VideoFrame.objects.filter(file_id__in=sorted(file_ids)).order_by("file_id", "index")
    for file_id, pdq, quality, phash in rows.values_list("file_id", "pdq", "pdq_quality", "phash"):
        hashes = {}
        if pdq is not None and (quality or 0) >= settings.PDQ_MIN_QUALITY:
            hashes["pdq"] = bytes(pdq)
        if usable_phash(phash):
            hashes["phash"] = bytes(phash)
        found.setdefault(file_id, []).append(hashes)
    return found


def frame_share(asked: list[dict[str, list[bytes]]], known: list[dict[str, bytes]]) -> FrameShare:
    """How many of a video's keyframes (``asked``: each one's queries per hash, variants included)
    match the known video's keyframes (``known``: each one's hashes) in order."""
    distances = {name: _distances(asked, known, name) for name in PERCEPTUAL}
    matching = [
        [
            match_strength({name: int(table[i, j]) for name, table in distances.items() if table[i, j] >= 0})
            is not None
            for j in range(len(known))
        ]
        for i in range(len(asked))
    ]
    return FrameShare(longest_in_order(matching), len(asked), len(known))


def _distances(asked, known, name: str) -> np.ndarray:
    """The smallest distance of hash ``name`` between each keyframe asked (over its queries) and each
    known keyframe; -1 where either side lacks that hash."""
    table = np.full((len(asked), len(known)), -1, dtype=np.int32)
    columns = [j for j, hashes in enumerate(known) if name in hashes]
    if not columns:
        return table
    bits = PERCEPTUAL[name]
    theirs = as_codes([known[j][name] for j in columns], bits)
    for i, queries in enumerate(asked):
        if not queries[name]:
            continue
        mine = as_codes(queries[name], bits)
        apart = np.unpackbits(mine[:, None, :] ^ theirs[None, :, :], axis=2).sum(axis=2)
        table[i, columns] = apart.min(axis=0)
    return table
