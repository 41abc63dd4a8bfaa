import io

import numpy as np
import pytest
from PIL import Image, ImageFilter

from evidence.synthetic import synthetic_image, synthetic_image_bytes
from hashing.perceptual import DIHEDRAL, ImageRefused, _phash_dihedral, decode, digest_image, hamming, veiled


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


def _textured_photo() -> Image.Image:
    """A 12 MP photo with fine texture and grain (bricks, upscaled): where a reduced decode moves PDQ most."""
    skimage_data = pytest.importorskip("skimage.data")
    bricks = Image.fromarray(skimage_data.brick()).convert("RGB").resize((4000, 3000), Image.Resampling.BICUBIC)
    grain = np.random.default_rng(1).integers(-12, 13, (3000, 4000, 1))
    return Image.fromarray(np.clip(np.asarray(bricks, dtype=np.int16) + grain, 0, 255).astype(np.uint8))


@pytest.mark.parametrize("photo", [1, 3, 5, 9, "textured"])
def test_the_hashes_of_a_12_mp_photo_are_within_a_few_bits_of_the_full_decodes(photo):
    """The reduced decode (1/8 for 12 MP) against imagehash and pdqhash on the whole decode.

    Measured on 40 photos (20 synthetic, 20 scikit-image ones upscaled with grain): pHash at most
    2 bits of 64 away; PDQ at most 8 of 256 (mean 2.3), where PDQ on the 1/8 decode as it is gave
    up to 34 and on the 1/4 decode up to 16. The textured photo is this set's worst for PDQ.
    """
    import imagehash
    import pdqhash

    big = synthetic_image(photo, size=(4000, 3000)) if photo != "textured" else _textured_photo()
    content = jpeg(big, quality=92)
    whole = Image.open(io.BytesIO(content))
    whole.load()
    full_phash = bytes.fromhex(str(imagehash.phash(whole)))
    full_pdq = np.packbits(pdqhash.compute(np.asarray(whole))[0].astype(np.uint8)).tobytes()
    reduced = digest_image(io.BytesIO(content))
    assert hamming(reduced.phash, full_phash) <= 2
    assert hamming(reduced.pdq, full_pdq) <= 10


def test_phash_and_its_turns_are_imagehash_s_bit_for_bit():
    import imagehash

    photo = synthetic_image(4, size=(500, 375))
    grey = photo.convert("L")
    hashes = _phash_dihedral(grey)
    small = grey.resize((32, 32), Image.Resampling.LANCZOS)
    expected = [small] + [small.transpose(turn) for turn in DIHEDRAL]
    assert hashes == [bytes.fromhex(str(imagehash.phash(image))) for image in expected]
    assert hashes[0] == bytes.fromhex(str(imagehash.phash(photo)))
    assert len(set(hashes)) == 8  # eight different hashes: the turns are not all the same


def test_a_jpeg_coded_in_rgb_or_grey_is_hashed_like_the_usual_ycbcr_one():
    """Cameras code JPEGs in YCbCr, which is decoded without the conversion to RGB; a JPEG coded in
    RGB (Adobe marker) or greyscale takes the usual way and gets the same hashes within a bit or two."""
    photo = synthetic_image(6, size=(1600, 1200))
    usual = digest_image(io.BytesIO(jpeg(photo, quality=95)))  # control: YCbCr
    out = io.BytesIO()
    photo.save(out, format="JPEG", quality=95, keep_rgb=True)
    assert Image.open(io.BytesIO(out.getvalue())).info.get("adobe_transform") == 0
    rgb = digest_image(io.BytesIO(out.getvalue()))
    grey = digest_image(io.BytesIO(jpeg(photo.convert("L"), quality=95)))
    for other in (rgb, grey):
        assert (other.width, other.height) == (1600, 1200)
        assert hamming(other.phash, usual.phash) <= 2 and hamming(other.pdq, usual.pdq) <= 10
        assert Image.open(io.BytesIO(other.thumbnail)).mode == "RGB"


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


def test_a_jpeg_libjpeg_refuses_to_give_in_ycbcr_is_decoded_the_usual_way(monkeypatch):
    """Should our reading of a JPEG's markers ever disagree with libjpeg's, the photo is still hashed."""
    from hashing import perceptual

    photo = synthetic_image(6, size=(1600, 1200))
    out = io.BytesIO()
    photo.save(out, format="JPEG", quality=95, keep_rgb=True)  # coded in RGB: libjpeg refuses YCbCr output
    usual = digest_image(io.BytesIO(jpeg(photo, quality=95)))  # control
    monkeypatch.setattr(perceptual, "_coded_in_ycbcr", lambda image: True)
    refused_then_usual = digest_image(io.BytesIO(out.getvalue()))
    assert hamming(refused_then_usual.phash, usual.phash) <= 2 and hamming(refused_then_usual.pdq, usual.pdq) <= 10


def test_a_photo_is_hashed_upright_as_its_exif_orientation_says():
    upright = synthetic_image(2, size=(1600, 1200))
    exif = Image.Exif()
    exif[0x0112] = 6  # "rotate 90 degrees clockwise to display"
    out = io.BytesIO()
    upright.transpose(Image.Transpose.ROTATE_90).save(out, format="JPEG", quality=95, exif=exif)
    tagged = digest_image(io.BytesIO(out.getvalue()))
    plain = digest_image(io.BytesIO(jpeg(upright, quality=95)))  # control
    assert hamming(tagged.phash, plain.phash) <= 2 and hamming(tagged.pdq, plain.pdq) <= 10
    assert Image.open(io.BytesIO(tagged.thumbnail)).size == (256, 192)
