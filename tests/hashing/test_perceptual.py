import io

import pytest
from PIL import Image, ImageFilter

from evidence.synthetic import synthetic_image, synthetic_image_bytes
from hashing.perceptual import ImageRefused, decode, digest_image, hamming, veiled


def jpeg(image: Image.Image, quality=90) -> bytes:
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=quality)
    return out.getvalue()


def test_a_reduced_decode_gives_nearly_the_hashes_of_a_full_decode():
    big = synthetic_image(5, size=(4000, 3000))  # 12 MP
    reduced = digest_image(io.BytesIO(jpeg(big)))
    full = digest_image(io.BytesIO(_png(big)))  # PNG has no draft mode: decoded whole
    assert (reduced.width, reduced.height) == (4000, 3000)
    assert hamming(reduced.phash, full.phash) <= 2
    assert hamming(reduced.pdq, full.pdq) <= 10


def test_a_re_encoded_copy_is_near_and_an_unrelated_image_is_far():
    original = synthetic_image(7)
    copy = digest_image(io.BytesIO(jpeg(original.resize((320, 240)), quality=40)))
    first = digest_image(io.BytesIO(jpeg(original)))
    other = digest_image(io.BytesIO(jpeg(synthetic_image(8))))
    assert hamming(first.phash, copy.phash) <= 10 and hamming(first.pdq, copy.pdq) <= 31
    assert hamming(first.phash, other.phash) > 10 and hamming(first.pdq, other.pdq) > 31


def test_a_decompression_bomb_is_refused_before_decoding():
    bomb = io.BytesIO()
    Image.new("1", (12_000, 12_000)).save(bomb, format="PNG")  # 144 MP in a few KB
    with pytest.raises(ImageRefused, match="decompression bomb"):
        decode(io.BytesIO(bomb.getvalue()))
    decode(io.BytesIO(synthetic_image_bytes(1)))  # control


def test_the_veiled_thumbnail_is_greyscale_and_blurred():
    thumbnail = digest_image(io.BytesIO(synthetic_image_bytes(3))).thumbnail
    plain, shown = Image.open(io.BytesIO(thumbnail)), Image.open(io.BytesIO(veiled(thumbnail, 8)))
    assert plain.mode == "RGB" and max(plain.size) == 256
    assert shown.mode == "L"
    assert sharpest_edges(shown) < sharpest_edges(plain.convert("L")) / 4


def sharpest_edges(image: Image.Image) -> float:
    """The mean of the 200 strongest edge responses inside the borders: low once blurred."""
    inner = image.filter(ImageFilter.FIND_EDGES).crop((10, 10, image.width - 10, image.height - 10))
    return sum(sorted(inner.tobytes())[-200:]) / 200


def _png(image) -> bytes:
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def test_a_truncated_photo_is_refused_even_after_a_library_allowed_truncated_images():
    from PIL import ImageFile

    damaged = synthetic_image_bytes(99)[:4000]
    ImageFile.LOAD_TRUNCATED_IMAGES = True  # what importing WeasyPrint does to the whole process
    try:
        with pytest.raises(ImageRefused, match="corrupt image"):
            decode(io.BytesIO(damaged))
    finally:
        ImageFile.LOAD_TRUNCATED_IMAGES = False
    decode(io.BytesIO(synthetic_image_bytes(99)))  # control: the whole photo decodes
