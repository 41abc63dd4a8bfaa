"""Detectors that look at an image's pixels and say what they see (sexual content, faces), each with
its model, version and the SHA-256 of its weights. Plain Python: no Django, no dossier, no file.

The pipeline hands the image it already decoded (``hashing.perceptual.digest_image``'s ``observe``):
no second decode. Which detectors run is a setting (DETECTORS); an empty one turns them off.
"""

import dataclasses

from detectors.nudity import Detection, NudityDetector

AVAILABLE = {"nudenet": NudityDetector}


def observer(names):
    """A callable image -> [Detection] running the named detectors (unknown names are refused at
    start-up by the settings check), or None when there are none."""
    chosen = [AVAILABLE[name].shared() for name in names]
    if not chosen:
        return None

    def observe(image):
        return [detector.detect(image) for detector in chosen]

    return observe


def strongest(per_frame: list[list[Detection]]) -> list[Detection]:
    """A video's detections from its keyframes': per model, the keyframe it scored highest (its
    regions), with the most faces any keyframe showed."""
    best: dict[tuple, Detection] = {}
    faces: dict[tuple, int] = {}
    for seen_in_frame in per_frame:
        for seen in seen_in_frame:
            key = (seen.detector, seen.version, seen.sha256)
            faces[key] = max(faces.get(key, 0), seen.faces)
            if key not in best or seen.score > best[key].score:
                best[key] = seen
    return [dataclasses.replace(seen, faces=faces[key]) for key, seen in best.items()]
