"""A photo turned by a few degrees, with its corners filled or cut to the largest upright rectangle
inside it (what editors do), is near its original again: a query also asks with itself turned back in
steps of a degree, as it is and zoomed out by the crop the turn implies (``hashing.perceptual``)."""

import io
from math import cos, radians, sin

import pytest
from PIL import Image

from hashing import perceptual
from hashing.near_matching import near_by_hashes
from hashing.perceptual import digest_image
from tests.evidence.test_altered_copies import crop, jpeg, photo
from tests.hashing.test_overlays import closest

PHOTOS = ("astronaut.png", "chelsea.png", "motorcycle_left.png")


def turned(image: Image.Image, degrees: float, *, cut: bool) -> Image.Image:
    """``image`` turned counter-clockwise, its corners black, or cut to the largest upright rectangle
    of its proportions inside the turned picture."""
    out = image.rotate(degrees, Image.Resampling.BICUBIC)
    if not cut:
        return out
    margin = (1 - perceptual._inside_share(degrees, *image.size)) / 2
    return crop(out, margin, margin, margin, margin)


def test_the_rectangle_inside_a_turned_image_is_the_largest_of_its_proportions():
    share = perceptual._inside_share(4, 1600, 1200)
    width, height = 1600 * share, 1200 * share

    # Its corners lie inside the turned frame: a point (x, y) from the centre, turned back by 4
    # degrees, is within the original's half sides; a larger rectangle's corner is not.
    def inside(x, y):
        a = radians(4)
        return abs(x * cos(a) + y * sin(a)) <= 800 + 1e-6 and abs(-x * sin(a) + y * cos(a)) <= 600 + 1e-6

    assert inside(width / 2, height / 2) and inside(width / 2, -height / 2)
    larger = 1.01
    assert not (inside(width / 2 * larger, height / 2 * larger) and inside(width / 2 * larger, -height / 2 * larger))
    assert perceptual._inside_share(0, 1600, 1200) == 1


@pytest.mark.parametrize("name", PHOTOS)
@pytest.mark.parametrize("cut", [False, True], ids=["corners-filled", "cut"])
def test_a_photo_turned_by_four_degrees_is_near_its_original_again(monkeypatch, name, cut):
    original = digest_image(io.BytesIO(jpeg(photo(name))))
    copy = jpeg(turned(photo(name), -4, cut=cut))
    digest = digest_image(io.BytesIO(copy))
    assert near_by_hashes(*closest(digest, original), digest.flat_share)
    # Control: the same query without the turns undone (its other variants kept) is not near.
    monkeypatch.setattr(perceptual, "UNDO_TILT_DEGREES", ())
    unturned = digest_image(io.BytesIO(copy))
    assert closest(unturned, original) > closest(digest, original)
    assert not near_by_hashes(*closest(unturned, original), unturned.flat_share)
