"""File type by content (libmagic), and confirmation that an image really decodes."""

import warnings
from typing import BinaryIO

import magic
from PIL import Image

# Pillow only warns between MAX_IMAGE_PIXELS and twice that; we refuse at our own limit.
MAX_IMAGE_PIXELS = 100_000_000
SNIFF_BYTES = 8192


def mime_of(head: bytes) -> str:
    if not head:
        return "application/x-empty"
    return magic.from_buffer(head, mime=True)


def image_problem(stream: BinaryIO) -> str:
    """Decode the image (reduced where the format allows); return why it fails, or ''."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(stream) as image:
                width, height = image.size
                if width * height > MAX_IMAGE_PIXELS:
                    return f"image of {width}x{height} pixels is over the limit of {MAX_IMAGE_PIXELS:,} pixels"
                image.draft("RGB", (512, 512))
                image.load()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        return f"decompression bomb refused: {error}"
    except (OSError, SyntaxError, ValueError, EOFError, Image.UnidentifiedImageError) as error:
        return f"corrupt image: {error}"
    return ""
