"""The face model finds the astronaut's face in scikit-image's bundled photo, describes it with 128
numbers and keeps a crop; none on the landscapes and objects; descriptions group and search by the
model's 0.6 threshold."""

import io
from pathlib import Path

import numpy as np
import skimage
from PIL import Image

from detectors.faces import DIMENSIONS, FaceDetector, as_vector, distinct, groups, nearest
from detectors.observe import detections_and_faces, observer

DATA = Path(skimage.__file__).parent / "data"


def test_the_astronauts_face_is_found_described_and_cropped_with_and_without_nudenet():
    image = Image.open(DATA / "astronaut.png").convert("YCbCr")  # as the pipeline decodes a JPEG
    alone = FaceDetector.shared().detect(image)  # dlib's HOG detector looks
    [nudenet, with_boxes] = observer(["nudenet", "faces"])(image)  # NudeNet's face box is used
    assert nudenet.faces == 1 and len(alone.faces) == len(with_boxes.faces) == 1
    assert alone.detector == "dlib ResNet faces" and len(alone.sha256) == 64 and "+" in alone.version
    face = alone.faces[0]
    left, top, width, height = face.box  # upper middle of the photo
    assert 0.2 < left < 0.5 and top < 0.4 and 0.05 < width < 0.4 and face.side >= 40
    assert as_vector(face.embedding).shape == (DIMENSIONS,)
    assert Image.open(io.BytesIO(face.crop)).size == (112, 112)
    # The same face, from either box: well within one person's distance.
    assert np.linalg.norm(as_vector(face.embedding) - as_vector(with_boxes.faces[0].embedding)) < 0.3
    assert detections_and_faces([nudenet, with_boxes]) == ([nudenet], [(with_boxes, with_boxes.faces[0])])


def test_no_face_on_objects_and_landscapes_nor_under_the_minimum_size():
    detector = FaceDetector.shared()
    for name in ("coffee.png", "rocket.jpg", "motorcycle_left.png"):
        assert detector.detect(Image.open(DATA / name)).faces == (), name
    small = Image.open(DATA / "astronaut.png").resize((128, 128))  # its face: about 20 px
    assert detector.detect(small, [(0.3, 0.1, 0.2, 0.2)]).faces == ()


def _people(count: int, each: int, rng) -> np.ndarray:
    centres = rng.normal(size=(count, DIMENSIONS))
    centres *= 0.5 / np.linalg.norm(centres, axis=1, keepdims=True)  # people about 0.7 apart
    return np.concatenate([c + rng.normal(scale=0.01, size=(each, DIMENSIONS)) for c in centres]).astype("<f4")


def test_descriptions_group_by_person_and_the_nearest_are_within_the_threshold():
    rng = np.random.default_rng(7)
    vectors = _people(3, 4, rng)
    labels = groups(vectors)
    assert len(set(labels)) == 3 and labels[:4] == [labels[0]] * 4 and labels[4] != labels[0]
    found = nearest(vectors[0], vectors, limit=10)
    assert [row for row, _ in found][:1] == [0] and {row for row, _ in found} == {0, 1, 2, 3}
    assert nearest(vectors[0], vectors[4:], limit=10) == []  # other people: none
    assert groups(np.zeros((0, DIMENSIONS), dtype="<f4")) == []


def test_a_person_seen_in_several_keyframes_is_kept_once():
    from detectors.faces import Face

    rng = np.random.default_rng(3)
    vectors = _people(2, 3, rng)
    faces = [Face((0, 0, 0.1, 0.1), 40 + n, v.tobytes(), b"") for n, v in enumerate(vectors)]
    kept = distinct(faces)
    assert len(kept) == 2 and {f.side for f in kept} == {42, 45}  # the largest of each person


def test_only_the_scoring_models_give_a_score():
    from detectors.observe import scoring

    assert scoring(["nudenet", "faces"]) == ["nudenet"]  # faces are stored as faces, not as a score
