"""Which detectors look at an image: the built-in ones named by the DETECTORS setting, and the
classifiers administrators registered and enabled (``detectors.models.Classifier``).

A worker builds its observer once per batch (``observer``): the built-in models are loaded once per
process, a registered classifier once per process and version of its weights.
"""

import dataclasses
import logging
import threading
import time

from django.conf import settings

from detectors.faces import FaceDetector, FacesSeen
from detectors.models import Classifier
from detectors.nudity import FACES, Detection, NudityDetector
from detectors.onnx_classifier import ModelRefused, OnnxClassifier

log = logging.getLogger(__name__)
AVAILABLE = {"nudenet": NudityDetector, "faces": FaceDetector}
REFRESH_SECONDS = 30.0  # how soon a worker sees a classifier registered, enabled or disabled elsewhere
_lock = threading.Lock()
_registered: dict = {"checked_at": None, "key": None, "loaded": []}


def observer(names, classifiers=()):
    """A callable image -> [Detection, and FacesSeen last where "faces" is named] running the named
    built-in detectors (unknown names are refused at start-up by the settings check) and
    ``classifiers``, or None when there are none.

    The faces model takes NudeNet's face boxes where NudeNet looked too (bench/faces.py: it finds
    profiles and smaller faces that dlib's HOG detector misses, and spares HOG's 15-30 ms)."""
    chosen = [AVAILABLE[name].shared() for name in names if name != "faces"] + list(classifiers)
    faces = None
    if "faces" in names:
        faces = faces_model()
    if not chosen and faces is None:
        return None
    nudenet = "nudenet" in names

    def observe(image):
        seen = [detector.detect(image) for detector in chosen]
        if faces is not None:
            boxes = face_boxes(seen) if nudenet else None
            seen.append(faces.detect(image, boxes))
        return seen

    return observe


def face_boxes(seen: list) -> list[tuple]:
    """The face boxes NudeNet found (``Region.box``: left, top, width, height as shares)."""
    return [
        region.box
        for found in seen
        if isinstance(found, Detection) and found.detector == NudityDetector.NAME
        for region in found.regions
        if region.label in FACES
    ]


def detections_and_faces(seen) -> tuple[list[Detection], list]:
    """What an image's observer answered, split: the detections, and the faces (``detectors.faces.Face``)."""
    detections, faces = [], []
    for found in seen or ():
        if isinstance(found, FacesSeen):
            faces.extend((found, face) for face in found.faces)
        else:
            detections.append(found)
    return detections, faces


def strongest(per_frame: list[list[Detection]]) -> list[Detection]:
    """A video's detections from its keyframes': per model, the keyframe it scored highest (its
    regions), with the most faces any keyframe showed."""
    best: dict[tuple, Detection] = {}
    faces: dict[tuple, int] = {}
    for seen_in_frame in per_frame:
        for seen in seen_in_frame:
            if isinstance(seen, FacesSeen):
                continue
            key = (seen.detector, seen.version, seen.sha256)
            faces[key] = max(faces.get(key, 0), seen.faces)
            if key not in best or seen.score > best[key].score:
                best[key] = seen
    return [dataclasses.replace(seen, faces=faces[key]) for key, seen in best.items()]


def registered_classifiers() -> list[OnnxClassifier]:
    """The enabled registered classifiers, loaded once per process and version of their weights; the
    database is asked at most every REFRESH_SECONDS (``forget_classifiers`` asks at once)."""
    with _lock:
        checked = _registered["checked_at"]
        if checked is not None and time.monotonic() - checked < REFRESH_SECONDS:
            return _registered["loaded"]
        enabled = Classifier.objects.filter(enabled=True)
        key = tuple(enabled.values_list("pk", "sha256", "changed_at"))
        if key != _registered["key"]:
            _registered["loaded"] = [loaded for row in enabled if (loaded := _load(row)) is not None]
            _registered["key"] = key
        _registered["checked_at"] = time.monotonic()
        return _registered["loaded"]


def _load(row: Classifier) -> OnnxClassifier | None:
    try:
        return OnnxClassifier(bytes(row.weights), row.spec())
    except ModelRefused:  # checked at registration; a newer onnxruntime may refuse it: say so, go on
        log.exception("classifier %s not loaded", row)
        return None


def forget_classifiers() -> None:
    """Make the next ``registered_classifiers`` ask the database (after a change in this process)."""
    with _lock:
        _registered["checked_at"] = None


def scoring(names) -> list[str]:
    """The built-in detectors named that give a ``Detection`` (a score); faces (``FacesSeen``) are
    stored as faces."""
    return [name for name in names if name != "faces"]


def faces_model():
    """The face model as the DETECTORS setting's limits load it, once per process."""
    return FaceDetector.shared(min_side=settings.FACES_MIN_SIDE, max_faces=settings.FACES_MAX_PER_IMAGE)


def builtin(names) -> list:
    """The built-in detectors named (of AVAILABLE), loaded once per process."""
    return [AVAILABLE[name].shared() for name in names]


def model_key(model) -> tuple[str, str, str]:
    """A loaded detector's or classifier's (name, version, weights' SHA-256): what its detections
    are stored under (``evidence.models.Detector``), known before it looks at anything."""
    if isinstance(model, OnnxClassifier):
        return (model.spec.name, model.spec.version, model.sha256)
    return (model.NAME, model.version, model.sha256)
