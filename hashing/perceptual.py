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
            image.load()
            if image.mode != "RGB":
                image = image.convert("RGB")
            # In place: a copy of a 1000x750 decode costs as much as the pHash.
            ImageOps.exif_transpose(image, in_place=True)
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
    # PDQ takes the whole reduced decode (about 1000 px for a 12 MP photo: within 8 bits of a full
    # decode, where 500 px gave up to 12); pHash and the thumbnail need far fewer pixels, and take
    # a box-filtered half of it, made once (pHash unchanged on the photos measured).
    vector, quality = pdqhash.compute(np.asarray(image))
    thumbnail = image.reduce(2) if min(image.size) >= 2 * THUMBNAIL_SIZE else image.copy()
    phash = bytes.fromhex(str(imagehash.phash(thumbnail)))
    # Bilinear: from the half decode it is a reduction by less than 2, where bicubic only costs twice as much.
    thumbnail.thumbnail((THUMBNAIL_SIZE, THUMBNAIL_SIZE), Image.Resampling.BILINEAR)
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


class VideoRefused(ValueError):
    pass


@dataclass(frozen=True)
class VideoFrameDigest:
    time: float  # seconds from the start
    phash: bytes
    pdq: bytes
    pdq_quality: int


@dataclass(frozen=True)
class VideoDigest:
    duration: float | None
    width: int
    height: int
    frames: list[VideoFrameDigest]
    contact_sheet: bytes  # JPEG grid of the sampled keyframes


def digest_video(source, max_frames: int = 12) -> VideoDigest:
    """Keyframes of a video (decoded alone: cheap), each hashed like an image, and a contact sheet.

    ``source`` is a path or a seekable binary stream. Some codecs (VP9) ignore the keyframe-only
    request, so frames are also checked for ``key_frame``. Raises VideoRefused with the reason.
    """
    import av

    try:
        with av.open(source) as container:
            if not container.streams.video:
                raise VideoRefused("no video stream")
            stream = container.streams.video[0]
            stream.codec_context.skip_frame = "NONKEY"
            duration = (
                float(stream.duration * stream.time_base)
                if stream.duration
                else (container.duration / 1_000_000 if container.duration else None)
            )
            keyframes = []
            for frame in container.decode(stream):
                if not frame.key_frame:
                    continue
                image = frame.to_image()
                image.thumbnail((512, 512))
                keyframes.append((float(frame.time or 0.0), image))
                if len(keyframes) > 50 * max_frames:
                    break  # a pathological file: enough samples
            width, height = stream.codec_context.width, stream.codec_context.height
    except VideoRefused:
        raise
    except (av.FFmpegError, OSError, ValueError, EOFError) as error:
        raise VideoRefused(f"corrupt video: {error}") from error
    if not keyframes:
        raise VideoRefused("corrupt video: no keyframe could be decoded")
    step = max(1, -(-len(keyframes) // max_frames))
    sampled = keyframes[::step][:max_frames]
    frames = []
    for time, image in sampled:
        vector, quality = pdqhash.compute(np.asarray(image))
        frames.append(
            VideoFrameDigest(
                time,
                bytes.fromhex(str(imagehash.phash(image))),
                np.packbits(vector.astype(np.uint8)).tobytes(),
                int(quality),
            )
        )
    return VideoDigest(duration, width, height, frames, _contact_sheet([image for _, image in sampled]))


def _contact_sheet(images: list[Image.Image], columns: int = 4, cell: int = 128) -> bytes:
    rows = -(-len(images) // columns)
    sheet = Image.new("RGB", (columns * cell, rows * cell), (32, 32, 32))
    for position, image in enumerate(images):
        tile = image.copy()
        tile.thumbnail((cell, cell))
        x, y = (position % columns) * cell, (position // columns) * cell
        sheet.paste(tile, (x + (cell - tile.width) // 2, y + (cell - tile.height) // 2))
    out = io.BytesIO()
    sheet.save(out, format="JPEG", quality=80)
    return out.getvalue()
