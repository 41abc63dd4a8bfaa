"""Sexual-content and face detection with NudeNet 3.4's 320n model (an ONNX model inside its
package, run by onnxruntime; nothing downloaded). Plain Python: no Django.

NudeNet detects body parts, exposed or covered, and faces, each with a box and a score. The file's
score is the highest among the exposed sexual parts (``SEXUAL``); faces are counted apart. Its own
pre- and post-processing are used (letterboxing to 320 px, non-maximum suppression) on the reduced
decode the pipeline already made. The scores are a model's: a coffee cup was called "buttocks
exposed" at 0.30 on a bundled sample photo, which is why the review only sorts and filters by them
and never decides anything.
"""

import hashlib
import threading
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path

import numpy as np
import onnxruntime
from nudenet import nudenet
from PIL import Image

from detectors import NUDENET

SEXUAL = frozenset(
    {
        "FEMALE_GENITALIA_EXPOSED",
        "MALE_GENITALIA_EXPOSED",
        "FEMALE_BREAST_EXPOSED",
        "BUTTOCKS_EXPOSED",
        "ANUS_EXPOSED",
    }
)
FACES = frozenset({"FACE_FEMALE", "FACE_MALE"})
INPUT_SIDE = 320


@dataclass(frozen=True)
class Region:
    label: str
    score: float
    box: tuple[float, float, float, float]  # left, top, width, height as shares of the image's sides


@dataclass(frozen=True)
class Detection:
    """What one detector saw in one image."""

    detector: str  # the model's name
    version: str  # its package's version
    sha256: str  # of its weights file
    score: float  # 0..1: how likely the image shows sexual content (its highest such region)
    faces: int
    regions: tuple[Region, ...]

    def regions_as_data(self) -> list[dict]:
        return [{"label": r.label, "score": r.score, "box": list(r.box)} for r in self.regions]


class NudityDetector:
    NAME = NUDENET
    _shared = None
    _lock = threading.Lock()

    def __init__(self):
        path = Path(nudenet.__file__).with_name("320n.onnx")
        self.sha256 = hashlib.sha256(path.read_bytes()).hexdigest()
        self.version = version("nudenet")
        options = onnxruntime.SessionOptions()
        # One thread: worker processes are the unit of parallelism (one per core), as for faiss.
        options.intra_op_num_threads = options.inter_op_num_threads = 1
        session = onnxruntime.InferenceSession(str(path), sess_options=options, providers=["CPUExecutionProvider"])
        # NudeNet's own detector, with this session (its constructor takes no session options).
        self._model = nudenet.NudeDetector.__new__(nudenet.NudeDetector)
        self._model.onnx_session = session
        self._model.input_width = self._model.input_height = INPUT_SIDE
        self._model.input_name = session.get_inputs()[0].name

    @classmethod
    def shared(cls) -> "NudityDetector":
        """One model per process, loaded on first use (about 0.1 s)."""
        with cls._lock:
            if cls._shared is None:
                cls._shared = cls()
            return cls._shared

    def detect(self, image: Image.Image) -> Detection:
        """Detect on a decoded image (any mode; a reduced decode of about 500 px is plenty for 320)."""
        # NudeNet reads an array as RGBA (it converts RGBA to BGR, then swaps back to RGB).
        pixels = np.asarray(image.convert("RGBA"))
        found = self._model.detect(pixels)
        sides = image.size * 2  # width, height, width, height
        regions = tuple(
            Region(
                item["class"],
                round(float(item["score"]), 3),
                tuple(round(value / side, 4) for value, side in zip(item["box"], sides, strict=True)),
            )
            for item in found
        )
        score = max((r.score for r in regions if r.label in SEXUAL), default=0.0)
        faces = sum(1 for r in regions if r.label in FACES)
        return Detection(self.NAME, self.version, self.sha256, score, faces, regions)
