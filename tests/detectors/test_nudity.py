"""The sexual-content detector (NudeNet's bundled model) looks at a decoded image and says what it
saw, with its model's name, version and weights' hash; a face is found on a bundled benign photo,
none on a cat."""

from pathlib import Path

import skimage
from PIL import Image

from detectors.observe import observer

DATA = Path(skimage.__file__).parent / "data"


def test_a_face_is_found_with_its_box_and_the_model_is_named():
    [seen] = observer(["nudenet"])(Image.open(DATA / "astronaut.png").convert("YCbCr"))
    assert seen.detector == "NudeNet 320n" and seen.version.startswith("3.4") and len(seen.sha256) == 64
    assert seen.faces == 1 and seen.score == 0.0
    [face] = [region for region in seen.regions if region.label.startswith("FACE")]
    left, top, width, height = face.box  # the astronaut's face: upper middle of the photo
    assert 0.2 < left < 0.5 and top < 0.4 and 0.05 < width < 0.4


def test_no_face_on_a_cat_and_no_detector_when_turned_off():
    [seen] = observer(["nudenet"])(Image.open(DATA / "chelsea.png"))
    assert seen.faces == 0
    assert observer([]) is None  # DETECTORS="": nothing runs
