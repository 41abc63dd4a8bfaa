"""Faces: where they are in an image and a 128-number description of each (dlib's ResNet face
recognition model, whose weights ship in the ``face_recognition_models`` package; nothing is
downloaded). Plain Python: no Django.

Two descriptions less than ``SAME_PERSON_DISTANCE`` apart (Euclidean) are likely the same person:
the threshold the model was trained for (99.38 % on LFW, adults' faces; children's faces and
profiles are less reliable, which is why the app only groups and proposes, never decides).

Where NudeNet looked at the same decode, its face boxes are used (it finds faces HOG misses:
profiles, smaller faces; bench/faces.py); otherwise dlib's HOG frontal detector looks, on a copy
no larger than ``HOG_SIDE``. Landmarks (5 points) and the description are computed on the decode
the pipeline made (a 12 MP JPEG: about 500 x 375), and a small crop of each face is kept, veiled
when served like a thumbnail.
"""

import functools
import hashlib
import importlib.util
import io
import threading
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path

import dlib
import numpy as np
from PIL import Image

from detectors import FACES

SAME_PERSON_DISTANCE = 0.6
HOG_SIDE = 640  # the HOG detector's copy, at most this long (it finds faces of 80 px and more in it)
CROP_SIDE = 112  # a face's crop, square, in pixels
DIMENSIONS = 128


@dataclass(frozen=True)
class Face:
    box: tuple[float, float, float, float]  # left, top, width, height as shares of the image's sides
    side: int  # the face's shorter side in the pixels looked at
    embedding: bytes  # 128 float32, little-endian
    crop: bytes  # JPEG, colour: veiled when served, until revealed
    time: float | None = None  # a video's keyframe: seconds from the start


@dataclass(frozen=True)
class FacesSeen:
    """The faces one model found in one image (or a video's keyframe)."""

    detector: str
    version: str
    sha256: str  # of its weights: the landmark predictor's file then the recognition model's
    faces: tuple[Face, ...]


def weights_files() -> list[Path]:
    """The landmark predictor's and the description model's files, in face_recognition_models' folder
    (found, not imported: its ``__init__`` imports pkg_resources, half a second at every start)."""
    folder = Path(importlib.util.find_spec("face_recognition_models").origin).parent / "models"
    return [folder / "shape_predictor_5_face_landmarks.dat", folder / "dlib_face_recognition_resnet_model_v1.dat"]


def as_vector(embedding: bytes) -> np.ndarray:
    return np.frombuffer(bytes(embedding), dtype="<f4")


class FaceDetector:
    NAME = FACES
    _shared = None
    _lock = threading.Lock()

    def __init__(self, *, min_side: int = 40, max_faces: int = 10):
        predictor, recognition = weights_files()
        digest = hashlib.sha256()
        for path in (predictor, recognition):
            digest.update(path.read_bytes())
        self.sha256 = digest.hexdigest()
        self.version = f"{version('dlib-bin')}+{version('face_recognition_models')}"
        self.min_side, self.max_faces = min_side, max_faces
        self._predictor = dlib.shape_predictor(str(predictor))
        self._recognition = dlib.face_recognition_model_v1(str(recognition))

    @functools.cached_property
    def _hog(self):
        """dlib's HOG face detector, built on first use (half a second): where NudeNet gives the
        face boxes (its default), a worker never needs it."""
        return dlib.get_frontal_face_detector()

    @classmethod
    def shared(cls, **limits) -> "FaceDetector":
        """One model per process, loaded on first use (about 0.3 s)."""
        with cls._lock:
            if cls._shared is None or (limits and (cls._shared.min_side, cls._shared.max_faces) != _limits(limits)):
                cls._shared = cls(**limits)
            return cls._shared

    def detect(self, image: Image.Image, boxes=None) -> FacesSeen:
        """The faces of a decoded image (any mode). ``boxes``: faces another detector found in the same
        image (left, top, width, height as shares of its sides), looked for with HOG when None."""
        rgb = np.asarray(image if image.mode == "RGB" else image.convert("RGB"))
        height, width = rgb.shape[:2]
        if boxes is None:
            rectangles = self._hog_faces(rgb)
        else:
            rectangles = [
                dlib.rectangle(
                    round(left * width), round(top * height), round((left + w) * width), round((top + h) * height)
                )
                for left, top, w, h in boxes
            ]
        rectangles = [r for r in rectangles if min(r.width(), r.height()) >= self.min_side]
        rectangles = sorted(rectangles, key=lambda r: -r.area())[: self.max_faces]
        faces = []
        for rectangle in rectangles:
            shape = self._predictor(rgb, rectangle)
            vector = np.asarray(self._recognition.compute_face_descriptor(rgb, shape), dtype="<f4")
            box = (
                max(rectangle.left(), 0) / width,
                max(rectangle.top(), 0) / height,
                (min(rectangle.right(), width) - max(rectangle.left(), 0)) / width,
                (min(rectangle.bottom(), height) - max(rectangle.top(), 0)) / height,
            )
            faces.append(
                Face(
                    box=tuple(round(value, 4) for value in box),
                    side=min(rectangle.width(), rectangle.height()),
                    embedding=vector.tobytes(),
                    crop=_crop(image, rectangle),
                )
            )
        return FacesSeen(self.NAME, self.version, self.sha256, tuple(faces))

    def _hog_faces(self, rgb: np.ndarray) -> list:
        height, width = rgb.shape[:2]
        scale = min(1.0, HOG_SIDE / max(width, height))
        if scale < 1.0:
            small = Image.fromarray(rgb).resize((round(width * scale), round(height * scale)), Image.Resampling.BOX)
            rgb_small = np.asarray(small)
        else:
            rgb_small = rgb
        found = self._hog(rgb_small, 0)
        return [
            dlib.rectangle(
                round(r.left() / scale), round(r.top() / scale), round(r.right() / scale), round(r.bottom() / scale)
            )
            for r in found
        ]


def _limits(limits: dict) -> tuple[int, int]:
    return limits.get("min_side", 40), limits.get("max_faces", 10)


def _crop(image: Image.Image, rectangle) -> bytes:
    """The face with a margin of a quarter of its size, square, CROP_SIDE pixels."""
    side = max(rectangle.width(), rectangle.height()) * 1.5
    centre_x, centre_y = rectangle.center().x, rectangle.center().y
    area = (
        round(centre_x - side / 2),
        round(centre_y - side / 2),
        round(centre_x + side / 2),
        round(centre_y + side / 2),
    )
    crop = image.crop(area).convert("RGB").resize((CROP_SIDE, CROP_SIDE), Image.Resampling.BICUBIC)
    out = io.BytesIO()
    crop.save(out, format="JPEG", quality=85)
    return out.getvalue()


def distinct(faces: list, *, threshold: float = 0.5) -> list:
    """``faces`` (``Face``, or pairs whose second item is one) less those within ``threshold`` of a
    larger one kept: a video's keyframes show the same person again and again."""
    kept, vectors = [], []
    for item in sorted(faces, key=lambda item: -(item[1] if isinstance(item, tuple) else item).side):
        vector = as_vector((item[1] if isinstance(item, tuple) else item).embedding)
        if all(np.linalg.norm(vector - other) >= threshold for other in vectors):
            kept.append(item)
            vectors.append(vector)
    return kept


def nearest(query: np.ndarray, vectors: np.ndarray, *, limit: int, threshold: float = SAME_PERSON_DISTANCE, norms=None):
    """Exact search: (row, distance) of the ``limit`` rows of ``vectors`` (n x 128 float32) closest to
    ``query``, within ``threshold``, closest first. ``norms``: the rows' squared norms, if kept."""
    if not len(vectors):
        return []
    query = np.asarray(query, dtype=np.float32)
    if norms is None:
        norms = np.einsum("ij,ij->i", vectors, vectors)
    # |v - q|^2 = |v|^2 - 2 v.q + |q|^2: one matrix-vector product, no n x 128 difference held.
    squared = norms - 2.0 * (vectors @ query) + float(query @ query)
    within = np.flatnonzero(squared < threshold * threshold)
    chosen = within[np.argsort(squared[within], kind="stable")[:limit]]
    return [(int(row), float(np.sqrt(max(squared[row], 0.0)))) for row in chosen]


def groups(vectors: np.ndarray, *, threshold: float = SAME_PERSON_DISTANCE) -> list[int]:
    """A group label per row (n x 128 float32): Chinese whispers (dlib's) over the pairs closer than
    ``threshold``, the pairs found with blocks of exact distances (no n x n matrix held)."""
    count = len(vectors)
    if count == 0:
        return []
    vectors = np.ascontiguousarray(vectors, dtype=np.float32)
    norms = (vectors**2).sum(axis=1)
    edges = []
    block = 2048
    for start in range(0, count, block):
        part, rest = vectors[start : start + block], vectors[start:]  # each pair once: columns from the row on
        squared = part @ rest.T
        squared *= -2.0
        squared += norms[start : start + block, None]
        squared += norms[None, start:]
        rows, columns = np.nonzero(squared < threshold * threshold)
        for row, column in zip((rows + start).tolist(), (columns + start).tolist(), strict=True):
            if row < column:
                edges.append((row, column))
    # Every face is a node, even alone (an edge to itself keeps it in the labels).
    edges.extend((row, row) for row in range(count))
    return list(dlib.chinese_whispers(edges))
