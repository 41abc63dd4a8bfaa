"""Perceptual hashes of images (pHash 64-bit, PDQ 256-bit) and their thumbnail, from one decode.

Plain Python: no Django here. JPEGs are decoded reduced (Pillow's draft mode) to about 512 px:
measured on these machines, pHash then differs from a full decode by at most 2 bits and PDQ by at
most 8 of 256 (Meta's tolerance for a correct PDQ is 10), for a fraction of the time.
"""

import io
import warnings
from dataclasses import dataclass

import imagehash
import numpy as np
import pdqhash
from PIL import Image, ImageFile, ImageFilter, ImageOps

MAX_PIXELS = 100_000_000
THUMBNAIL_SIZE = 256
# Pillow only warns past its limit (and errors at twice it); ours turns the warning into a refusal.
Image.MAX_IMAGE_PIXELS = MAX_PIXELS


class ImageRefused(ValueError):
    pass


@dataclass(frozen=True)
class ImageDigest:
    width: int
    height: int
    phash: bytes  # 8 bytes
    pdq: bytes  # 32 bytes
    pdq_quality: int  # 0-100; Meta discards matches below 50
    thumbnail: bytes  # JPEG, colour: blurred and greyed when served, until revealed


def decode(stream) -> Image.Image:
    """Open and decode an image at a reduced size, refusing decompression bombs and truncation."""
    # Libraries may switch this on process-wide (WeasyPrint does at import): a damaged photo must
    # be reported, never completed with grey.
    ImageFile.LOAD_TRUNCATED_IMAGES = False
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image = Image.open(stream)
            width, height = image.size
            if width * height > MAX_PIXELS:
                raise ImageRefused(f"image of {width}x{height} pixels is over the limit of {MAX_PIXELS:,} pixels")
            image.draft("RGB", (512, 512))
            image = ImageOps.exif_transpose(image.convert("RGB"))
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
            raise ImageRefused(f"decompression bomb refused: {error}") from error
        except (OSError, SyntaxError, ValueError, EOFError) as error:
            raise ImageRefused(f"corrupt image: {error}") from error
    image.info["original_size"] = (width, height)
    return image


def digest_image(stream) -> ImageDigest:
    """Decode once; compute pHash, PDQ and a thumbnail. Raises ImageRefused with the reason."""
    image = decode(stream)
    width, height = image.info["original_size"]
    phash = bytes.fromhex(str(imagehash.phash(image)))
    vector, quality = pdqhash.compute(np.asarray(image))
    thumbnail = image.copy()
    thumbnail.thumbnail((THUMBNAIL_SIZE, THUMBNAIL_SIZE))
    out = io.BytesIO()
    thumbnail.save(out, format="JPEG", quality=80)
    return ImageDigest(
        width, height, phash, np.packbits(vector.astype(np.uint8)).tobytes(), int(quality), out.getvalue()
    )


def veiled(thumbnail: bytes, blur_radius: float) -> bytes:
    """The thumbnail as shown before a reveal: greyscale and blurred (reviewer welfare)."""
    image = Image.open(io.BytesIO(thumbnail)).convert("L").filter(ImageFilter.GaussianBlur(blur_radius))
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=70)
    return out.getvalue()


def hamming(a: bytes, b: bytes) -> int:
    return (int.from_bytes(a, "big") ^ int.from_bytes(b, "big")).bit_count()
