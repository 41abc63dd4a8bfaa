"""The calibrated near rule (issue 21): how flat a query is decides how much a near match asks of
both hashes (``hashing.near_matching.near_by_hashes``, ``hashing.perceptual.flat_share``)."""

import io
import random
from pathlib import Path

import numpy as np
import pytest
import skimage
from PIL import Image, ImageDraw, ImageFont

from hashing.near_matching import MISSING, NEAR, POSSIBLE, UNMEASURED, match_strength, near_by_hashes
from hashing.perceptual import digest_image

WORDS = "invoice report meeting agenda total amount balance account summary notes project budget review".split()


def form(seed: int) -> Image.Image:
    """A window of one layout (a form with a side bar, labelled boxes and buttons); ``seed`` picks
    its words only."""
    rng = random.Random(seed)
    screen = Image.new("RGB", (1280, 800), (240, 240, 240))
    draw = ImageDraw.Draw(screen)
    font = ImageFont.load_default(size=26)
    draw.rectangle((0, 0, 1280, 60), fill=(0, 120, 215))
    draw.text((30, 15), " ".join(rng.choices(WORDS, k=2)).title(), font=font, fill=(255, 255, 255))
    draw.rectangle((0, 60, 260, 800), fill=(255, 255, 255))
    for row in range(8):
        draw.text((30, 90 + row * 60), rng.choice(WORDS).title(), font=font, fill=(20, 20, 20))
    for row in range(5):
        y = 110 + row * 100
        draw.text((300, y), rng.choice(WORDS).title() + ":", font=font, fill=(20, 20, 20))
        draw.rectangle((560, y - 6, 1040, y + 44), fill=(255, 255, 255), outline=(20, 20, 20))
        draw.text((570, y), " ".join(rng.choices(WORDS, k=rng.randint(1, 3))), font=font, fill=(20, 20, 20))
        draw.rounded_rectangle((1080, y - 6, 1250, y + 44), radius=8, fill=(0, 120, 215))
    return screen


def encoded(image: Image.Image, kind: str = "PNG") -> io.BytesIO:
    out = io.BytesIO()
    image.convert("RGB").save(out, format=kind)
    out.seek(0)
    return out


@pytest.fixture
def calibrated(settings):
    """The rule's numbers pinned (the defaults come from the bench and may move)."""
    settings.PDQ_MATCH_DISTANCE, settings.PHASH_MATCH_DISTANCE, settings.NEAR_JOINT_DISTANCES = 31, -1, [31, -1]
    settings.NEAR_PHOTO_MAX_FLAT, settings.NEAR_GRAPHIC_MIN_FLAT = 60, 150
    settings.NEAR_PHOTO_JOINT_DISTANCES, settings.NEAR_GRAPHIC_PDQ_DISTANCE = [59, 12], 17
    settings.POSSIBLE_PDQ_DISTANCE, settings.POSSIBLE_PHASH_DISTANCE = 31, 12
    settings.POSSIBLE_JOINT_DISTANCES = [31, 12]


def test_a_photo_like_query_is_near_when_both_hashes_are_close(calibrated):
    cropped = {"pdq": 50, "phash": 10}  # a crop: PDQ past 31, pHash close
    assert match_strength(cropped, flat_share=20) == NEAR
    # The same distances for a query not known to be a photo (a video's keyframe, a file hashed
    # before the share was measured) or a flatter one: possible, as before.
    assert match_strength(cropped, flat_share=None) == POSSIBLE
    assert match_strength(cropped, flat_share=100) == POSSIBLE
    assert match_strength({"pdq": 61, "phash": 10}, flat_share=20) == POSSIBLE  # PDQ past the joint bound
    assert match_strength({"pdq": 50, "phash": 14}, flat_share=20) is None  # pHash past it and the search's
    assert match_strength({"pdq": 50}, flat_share=20) is None  # the joint rule needs both hashes


def test_a_document_or_a_screen_asks_a_closer_pdq(calibrated):
    # Two screens of one form with other words: PDQ 24 and pHash 4 apart.
    assert match_strength({"pdq": 24, "phash": 4}, flat_share=500) == POSSIBLE
    assert match_strength({"pdq": 17, "phash": 4}, flat_share=500) == NEAR  # control: a re-encode
    # Photos and images in between keep PDQ <= 31.
    assert match_strength({"pdq": 24, "phash": 4}, flat_share=20) == NEAR
    assert match_strength({"pdq": 24, "phash": 4}, flat_share=100) == NEAR
    assert match_strength({"pdq": 24, "phash": 4}, flat_share=None) == NEAR


def test_the_bench_decides_with_the_same_rule_on_arrays(calibrated):
    pdq = np.array([50, 50, 24, 24, 17, MISSING, 61])
    phash = np.array([10, 10, 4, 4, 4, 2, 10])
    flat = np.array([20, UNMEASURED, 500, 20, 500, 20, 20])
    expected = [
        match_strength(
            {name: int(value) for name, value in (("pdq", p), ("phash", h)) if value != MISSING},
            None if f == UNMEASURED else int(f),
        )
        == NEAR
        for p, h, f in zip(pdq, phash, flat, strict=True)
    ]
    assert near_by_hashes(pdq, phash, flat).tolist() == expected == [True, False, False, True, True, False, False]


def grained(image: Image.Image, sigma: float, long_side: int) -> Image.Image:
    """``image`` at ``long_side`` px with a camera's or a scanner's grain."""
    scale = long_side / max(image.size)
    image = image.resize((round(image.width * scale), round(image.height * scale)), Image.Resampling.LANCZOS)
    noise = np.random.default_rng(5).normal(0, sigma, (image.height, image.width, 1))
    return Image.fromarray(np.clip(np.asarray(image.convert("RGB"), np.float32) + noise, 0, 255).astype(np.uint8))


def test_a_scanned_or_photographed_form_is_still_a_document(settings):
    """Grain over a form's background (a scanner's, a phone camera's pointed at a screen) keeps each
    block of its thumbnail within a standard deviation of 1: still a document, whose near matches ask
    for PDQ within NEAR_GRAPHIC_PDQ_DISTANCE. A flat share counting only blocks of one or two grey
    levels took such screens for photos: 1,524 false near matches among 2.15 million pairs on the
    bench. Control: a photo with grain is photo-like."""
    for sigma in (1.0, 2.0, 3.0):
        for number in (1, 2):
            scanned = digest_image(encoded(grained(form(number), sigma, 1280), "JPEG"))
            assert scanned.flat_share > settings.NEAR_GRAPHIC_MIN_FLAT
    coffee = Image.open(Path(skimage.__file__).parent / "data" / "coffee.png")
    assert digest_image(encoded(grained(coffee, 3.0, 1600), "JPEG")).flat_share <= settings.NEAR_PHOTO_MAX_FLAT


def test_the_flat_share_tells_screens_and_plain_images_from_photos(settings):
    rng = np.random.default_rng(3)
    # A photo-like image: gradients and grain everywhere.
    y, x = np.mgrid[0:600, 0:800]
    scene = 128 + 60 * np.sin(x / 37.0) * np.cos(y / 23.0) + rng.normal(0, 6, (600, 800))
    photo = Image.fromarray(np.clip(scene, 0, 255).astype(np.uint8)).convert("RGB")
    assert digest_image(encoded(photo, "JPEG")).flat_share <= settings.NEAR_PHOTO_MAX_FLAT
    for screen in (form(1), form(2)):
        assert digest_image(encoded(screen)).flat_share > settings.NEAR_GRAPHIC_MIN_FLAT
    assert digest_image(encoded(Image.new("RGB", (640, 480), (200, 30, 30)))).flat_share == 1000
