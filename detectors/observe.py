"""Which detectors look at an image: the built-in ones named by the DETECTORS setting, and the
classifiers administrators registered and enabled (``detectors.models.Classifier``).

A worker builds its observer once per batch (``observer``): the built-in models are loaded once per
process, a registered classifier once per process and version of its weights.
"""

import dataclasses
import logging
import threading
import time

from detectors.models import Classifier
from detectors.nudity import Detection, NudityDetector
from detectors.onnx_classifier import ModelRefused, OnnxClassifier

log = logging.getLogger(__name__)
AVAILABLE = {"nudenet": NudityDetector}
REFRESH_SECONDS = 30.0  # how soon a worker sees a classifier registered, enabled or disabled elsewhere
_lock = threading.Lock()
_registered: dict = {"checked_at": None, "key": None, "loaded": []}


def observer(names, classifiers=()):
    """A callable image -> [Detection] running the named built-in detectors (unknown names are refused
    at start-up by the settings check) and ``classifiers``, or None when there are none."""
    chosen = [AVAILABLE[name].shared() for name in names] + list(classifiers)
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


def builtin(names) -> list:
    """The built-in detectors named (of AVAILABLE), loaded once per process."""
    return [AVAILABLE[name].shared() for name in names]


def model_key(model) -> tuple[str, str, str]:
    """A loaded detector's or classifier's (name, version, weights' SHA-256): what its detections
    are stored under (``evidence.models.Detector``), known before it looks at anything."""
    if isinstance(model, OnnxClassifier):
        return (model.spec.name, model.spec.version, model.sha256)
    return (model.NAME, model.version, model.sha256)
