"""A classifier an administrator registers: an ONNX model a force obtained elsewhere (as IPED's
pluggable CSAM detector), described by its labels, input size and normalisation, and the labels
that alert. Plain Python: no Django.

The image the pipeline decoded is resized to the model's input, scaled to 0..1, normalised by the
given mean and standard deviation per channel (RGB), laid out as N x C x H x W float32, and run;
the output is taken as one score per label (a softmax is applied when it is not already a
distribution). The file's score is the highest among the alerting labels.
"""

import hashlib
import math
import threading
from dataclasses import dataclass

import numpy as np
import onnxruntime
from PIL import Image

from detectors.nudity import Detection, Region


class ModelRefused(ValueError):
    """The model file cannot serve as this classifier (the reason is the message)."""


@dataclass(frozen=True)
class ClassifierSpec:
    name: str
    version: str  # as the force names it ("2025-03", "v4")
    labels: tuple[str, ...]
    alerting: tuple[str, ...]
    width: int
    height: int
    mean: tuple[float, float, float] = (0.0, 0.0, 0.0)
    std: tuple[float, float, float] = (1.0, 1.0, 1.0)


class OnnxClassifier:
    def __init__(self, weights: bytes, spec: ClassifierSpec):
        self.spec = spec
        self.sha256 = hashlib.sha256(weights).hexdigest()
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = options.inter_op_num_threads = 1
        try:
            self.session = onnxruntime.InferenceSession(
                weights, sess_options=options, providers=["CPUExecutionProvider"]
            )
        except Exception as error:  # onnxruntime raises its own (un-exported) exception types
            raise ModelRefused(f"onnxruntime cannot load it: {error}") from error
        inputs = self.session.get_inputs()
        if len(inputs) != 1 or len(inputs[0].shape) != 4:
            raise ModelRefused("the model must take one input of four dimensions (N x 3 x H x W)")
        self.input_name = inputs[0].name
        self._lock = threading.Lock()

    def _tensor(self, image: Image.Image) -> np.ndarray:
        spec = self.spec
        pixels = np.asarray(image.convert("RGB").resize((spec.width, spec.height), Image.Resampling.BILINEAR))
        scaled = (pixels.astype(np.float32) / 255.0 - np.float32(spec.mean)) / np.float32(spec.std)
        return np.ascontiguousarray(scaled.transpose(2, 0, 1)[None], dtype=np.float32)

    def scores(self, image: Image.Image) -> np.ndarray:
        with self._lock:  # one run at a time per session (a worker process runs one image at a time)
            output = self.session.run(None, {self.input_name: self._tensor(image)})[0]
        values = np.asarray(output, dtype=np.float64).ravel()
        if len(values) != len(self.spec.labels):
            raise ModelRefused(f"the model gives {len(values)} scores for {len(self.spec.labels)} labels")
        if not np.all(np.isfinite(values)):
            raise ModelRefused("the model gives scores that are not numbers")
        if values.min() < 0 or values.max() > 1 or not math.isclose(values.sum(), 1.0, abs_tol=1e-3):
            shifted = np.exp(values - values.max())
            values = shifted / shifted.sum()
        return values

    def detect(self, image: Image.Image) -> Detection:
        values = self.scores(image)
        spec = self.spec
        ranked = sorted(zip(spec.labels, values, strict=True), key=lambda item: -item[1])
        regions = tuple(Region(label, round(float(score), 4), (0.0, 0.0, 1.0, 1.0)) for label, score in ranked[:3])
        score = max(float(score) for label, score in zip(spec.labels, values, strict=True) if label in spec.alerting)
        return Detection(spec.name, spec.version, self.sha256, round(score, 4), 0, regions)


def checked(weights: bytes, spec: ClassifierSpec) -> OnnxClassifier:
    """The classifier, once its description holds and a test inference on a grey image gives one
    score per label; ModelRefused with the reason otherwise."""
    if not spec.labels or len(set(spec.labels)) != len(spec.labels):
        raise ModelRefused("the labels must be given, each once")
    if not spec.alerting or not set(spec.alerting) <= set(spec.labels):
        raise ModelRefused("the alerting labels must be among the labels")
    if not (8 <= spec.width <= 2048 and 8 <= spec.height <= 2048):
        raise ModelRefused("the input size must be between 8 and 2048 pixels a side")
    if any(value <= 0 for value in spec.std):
        raise ModelRefused("the standard deviations must be positive")
    classifier = OnnxClassifier(weights, spec)
    try:
        classifier.detect(Image.new("RGB", (spec.width, spec.height), (128, 128, 128)))
    except ModelRefused:
        raise
    except Exception as error:  # the test inference: whatever onnxruntime says is the reason
        raise ModelRefused(f"a test inference failed: {error}") from error
    return classifier
