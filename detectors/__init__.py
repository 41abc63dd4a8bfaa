"""Detectors that look at an image's pixels and say what they see (sexual content, faces), each with
its model, version and the SHA-256 of its weights. Plain Python: no Django, no dossier, no file.

The pipeline hands the image it already decoded (``hashing.perceptual.digest_image``'s ``observe``):
no second decode. Which detectors run is a setting (DETECTORS); an empty one turns them off.
"""

from detectors.nudity import NudityDetector

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
