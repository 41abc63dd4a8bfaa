"""An opaque box pasted over a photo (a channel's banner, a caption) is found and painted over, so a
query also asks with the photo as it was under it (``hashing.perceptual.overlay_boxes``); a photo's
own flat regions and a screen made of boxes are not overlays. An emblem in a corner that is not a box
is painted over with the corner (``UNDO_CORNER_SIDES``)."""

import io

import numpy as np
import pytest
from PIL import Image, ImageDraw

from hashing import perceptual
from hashing.near_matching import near_by_hashes
from hashing.perceptual import digest_image, flat_share, hamming, overlay_boxes
from tests.evidence.test_altered_copies import jpeg, overlay, photo
from tests.hashing.test_near_rule import form

PHOTOS = ("coffee.png", "chelsea.png", "motorcycle_left.png")  # photo-like: little flat (no clipped black)


def closest(digest, original) -> tuple[int, int]:
    """The smallest PDQ and pHash distances from a query (itself and its variants) to an original."""
    pdqs = [digest.pdq] + [digest.pdq_variants[i : i + 32] for i in range(0, len(digest.pdq_variants), 32)]
    phashes = [digest.phash] + [digest.phash_variants[i : i + 8] for i in range(0, len(digest.phash_variants), 8)]
    return min(hamming(h, original.pdq) for h in pdqs), min(hamming(h, original.phash) for h in phashes)


def boxed(image: Image.Image, left: float, top: float, share: float) -> Image.Image:
    """A coloured box (3:1) over ``share`` of the image at (left, top), with a channel's name in it."""
    marked = image.copy()
    width, height = marked.size
    box_height = (share * width * height / 3) ** 0.5
    x, y = left * width, top * height
    draw = ImageDraw.Draw(marked)
    draw.rectangle((x, y, x + 3 * box_height, y + box_height), fill=(180, 40, 60))
    draw.text((x + 10, y + box_height / 3), "@channel_123", fill=(255, 255, 255), font_size=box_height / 3)
    return marked


@pytest.mark.parametrize("name", PHOTOS)
def test_a_box_over_a_photo_is_found_where_it_is_and_the_photo_alone_has_none(name):
    original = photo(name)
    assert overlay_boxes(Image.open(io.BytesIO(jpeg(original))).convert("L")) == []  # control
    [(left, top, right, bottom)] = overlay_boxes(
        Image.open(io.BytesIO(jpeg(boxed(original, 0.3, 0.6, 0.05)))).convert("L")
    )
    width, height = original.size
    box_height = (0.05 * width * height / 3) ** 0.5
    expected = (0.3, 0.6, 0.3 + 3 * box_height / width, 0.6 + box_height / height)
    assert max(abs(a - b) for a, b in zip((left, top, right, bottom), expected, strict=True)) < 0.02


def test_a_screen_made_of_boxes_has_no_overlay():
    screen = form(1)
    assert overlay_boxes(screen.convert("L")) == []
    # Control: one box over a photo of the same size is found.
    assert len(overlay_boxes(boxed(photo("coffee.png", screen.width), 0.1, 0.1, 0.05).convert("L"))) == 1


@pytest.mark.parametrize("name", PHOTOS)
def test_a_photo_under_a_box_is_near_its_original_again(monkeypatch, name):
    original = digest_image(io.BytesIO(jpeg(photo(name))))
    marked = jpeg(overlay(photo(name), 0.08))
    digest = digest_image(io.BytesIO(marked))
    pdq, phash = closest(digest, original)
    assert near_by_hashes(pdq, phash, digest.flat_share)
    # The same query with no box looked for (its other variants kept) is not near: the box moved
    # both hashes past the rule.
    monkeypatch.setattr(perceptual, "overlay_boxes", lambda grey: [])
    monkeypatch.setattr(perceptual, "UNDO_CORNER_SIDES", ())  # the box is near a corner
    unpainted = digest_image(io.BytesIO(marked))
    assert closest(unpainted, original) > (pdq, phash)
    assert not near_by_hashes(*closest(unpainted, original), unpainted.flat_share)


def test_the_flat_share_leaves_out_the_boxes_over_a_photo(settings):
    marked = boxed(photo("coffee.png"), 0.2, 0.2, 0.08)
    thumbnail = marked.convert("L")
    thumbnail.thumbnail((256, 256))
    boxes = overlay_boxes(marked.convert("L"))
    assert flat_share(thumbnail, boxes) <= settings.NEAR_PHOTO_MAX_FLAT < flat_share(thumbnail)


def emblem(image: Image.Image, share: float) -> Image.Image:
    """A channel's emblem in the top right corner over ``share`` of the image: a disc of diagonal
    stripes, white and the channel's colour, with letters. No part of it is a flat box or badge:
    ``overlay_boxes`` does not find it."""
    marked = image.copy()
    width, height = marked.size
    side = round((share * width * height) ** 0.5)
    left, top = width - side - round(0.02 * min(width, height)), round(0.02 * min(width, height))
    rows, columns = np.mgrid[0:side, 0:side]
    stripes = ((rows + columns) // max(2, side // 8)) % 2 == 0
    pixels = np.where(stripes[:, :, None], np.array([250, 250, 250]), np.array([200, 20, 40])).astype(np.uint8)
    disc = Image.new("L", (side, side), 0)
    ImageDraw.Draw(disc).ellipse((0, 0, side - 1, side - 1), fill=255)
    marked.paste(Image.fromarray(pixels), (left, top), disc)
    ImageDraw.Draw(marked).text((left + side * 0.18, top + side * 0.35), "TV7", fill=(0, 0, 0), font_size=side * 0.3)
    return marked


@pytest.mark.parametrize(("name", "share"), [("chelsea.png", 0.04), ("chelsea.png", 0.06)])
def test_a_photo_with_an_emblem_in_a_corner_is_within_pdq_31_again(monkeypatch, name, share):
    original = digest_image(io.BytesIO(jpeg(photo(name))))
    marked = jpeg(emblem(photo(name), share))
    assert overlay_boxes(Image.open(io.BytesIO(marked)).convert("L")) == []  # not found as a box
    digest = digest_image(io.BytesIO(marked))
    pdq, phash = closest(digest, original)
    assert pdq <= 31 and near_by_hashes(pdq, phash, digest.flat_share)
    # Control: the same query without its corners painted over (its other variants kept) is past PDQ 31.
    monkeypatch.setattr(perceptual, "UNDO_CORNER_SIDES", ())
    unpainted = digest_image(io.BytesIO(marked))
    assert closest(unpainted, original)[0] > 31
