"""Perceptual hashes of images (pHash 64-bit, PDQ 256-bit) and their thumbnail, from one decode.

Plain Python: no Django here. JPEGs are decoded reduced (Pillow's draft mode, 1/8 for a 12 MP
photo: 500x375) and, when coded in YCbCr, without the conversion to RGB (PDQ and pHash only need
the luma). Measured on 40 photos of 12 MP, against imagehash and pdqhash on the full decode: pHash
at most 2 bits away, PDQ at most 8 of 256 (Meta's tolerance for a correct PDQ is 10), PDQ being
computed on the luma resized to 576x576 (see ``_pdq_luma``); in about a fifth of the time of
``imagehash.phash`` alone on the full decode.
"""

import io
import math
import warnings
from dataclasses import dataclass
from functools import lru_cache

import cv2
import numpy as np
import pdqhash
import pillow_heif
import scipy.fftpack  # what imagehash uses (a dependency of it)
from PIL import Image, ImageChops, ImageFile, ImageFilter, ImageOps

from config.messages import MessageError, message
from hashing.exif import CameraFacts, camera_facts

# HEIC/HEIF (phones' own format) opens like any image, under the same pixel limit.
pillow_heif.register_heif_opener()

MAX_PIXELS = 100_000_000
THUMBNAIL_SIZE = 256
# JPEGs are decoded at the smallest scale (1/2, 1/4, 1/8) that keeps both sides at least this long:
# 500x375 for a 12 MP photo, enough for the thumbnail, pHash (32x32) and PDQ (PDQ_SIDE).
DRAFT_SIDE = 320
PDQ_SIDE = 576  # 64 x 9: see _pdq_luma
PDQ_VARIANT_SIDE = 320  # 64 x 5, for the border-trimmed image's hashes, only asked with: 3 times faster
# A border is trimmed before the extra hashes when it is at least this share of a side, and its pixels
# differ from the corner's colour by at most BORDER_TOLERANCE (JPEG noise).
BORDER_MIN_SHARE = 0.02
BORDER_TOLERANCE = 24
PDQ_USEFUL_QUALITY = 50  # Meta's: below it a PDQ hash matches too much
# What re-sharers do most and neither hash survives: a crop of a few per cent and a tilt of a few
# degrees (FIELD-NOTES: 7-9 % recall on a 5 % crop, 55-60 % on a 4-degree turn). A list holds the
# original's hashes only, so a query also asks with itself brought back towards an original: its
# edges extended (the edge pixels repeated) by what a crop of these shares took on every side, or
# on one side, and turned back by these angles. Hashed on a copy of at most UNDO_SIDE pixels a side
# (PDQ reduces to 64 x 64 anyway). Chosen with bench/near_corpus.py (bench/RESULTS.md).
# A tilt is turned back in steps of a degree (a step of two left a degree, which PDQ does not survive)
# twice: as it is (a copy turned with its corners filled) and zoomed out by the crop that turning
# implies (a copy turned then cut to the largest upright rectangle inside it, what editors do), its
# edges extended. On bench/near_corpus.py: near matches 0.565 -> 0.683 (turns of 3 degrees 0.33 ->
# 0.72), still none false on the hard pairs; ~5 ms more a photo (bench/RESULTS.md).
UNDO_CROP_EVERY_SIDE = (0.025, 0.05, 0.075, 0.10)
UNDO_CROP_ONE_SIDE = (0.05, 0.10)
UNDO_TILT_DEGREES = (-5, -4, -3, -2, -1, 1, 2, 3, 4, 5)
UNDO_SIDE = 128
# An opaque box pasted over a picture (a channel's banner, a caption, a censor bar) moves both hashes
# as much as a crop (bench/near_images.py: boxes over 2-8 % of a photo, 43 % within PDQ 31; painted over,
# 69 %; near matches of the family 0.47 -> 0.75, a corner logo's 0.22 -> 0.45, no false one more). A query
# also asks with its boxes painted over from their surroundings (``overlay_boxes``, ``undone_hashes``):
# a box is a region of one flat colour (luma within OVERLAY_RANGE over 5x5 pixels) of OVERLAY_MIN_SHARE
# to OVERLAY_MAX_SHARE of the image, covering OVERLAY_SOLID of its bounding rectangle (the rest is its
# text), that is either a rectangle (its convex hull covers OVERLAY_FILL of the bounding one) or a
# solid convex badge (a logo's disc: it covers OVERLAY_CONVEX of its hull, which covers OVERLAY_ROUND
# of the rectangle, a disc's pi/4); a photo's own flat regions (a clipped sky, a shadow) are neither.
# An image with more than OVERLAY_MAX_BOXES of them is a screen or a drawing, made of boxes: none is
# an overlay.
# A channel's logo sits in a corner, and is often not found as a box (a disc with a banner and letters,
# or a drawing: not one flat colour). A query also asks, with PDQ alone (pHash, looser, would match
# more distinct images), with each corner painted over: squares of these shares of the image's mean
# side (a logo over 2-8 % of the image is a square of 0.14-0.28 of it, plus its margin), on a copy of
# at most UNDO_CORNER_SIDE pixels a side (PDQ's own size; painted over on the copy of UNDO_SIDE, fewer
# were found, at twice the cost). On bench/near_corpus.py: near matches of corner logos 0.45 -> 0.65,
# still none false; ~4 ms more a photo.
UNDO_CORNER_SIDES = (0.2, 0.3)
UNDO_CORNER_SIDE = 64
OVERLAY_RANGE = 4
OVERLAY_MIN_SHARE = 0.005
OVERLAY_MAX_SHARE = 0.25
OVERLAY_SOLID = 0.5
OVERLAY_FILL = 0.9
OVERLAY_CONVEX = 0.95
OVERLAY_ROUND = 0.75
OVERLAY_MAX_BOXES = 3
OVERLAY_SIDE = 512  # looked for on a copy of at most this many pixels a side: a smaller one loses small boxes
# A block of the thumbnail is flat when its luma varies less than this (standard deviation, 0-255).
FLAT_BLOCK_STD = 1.0
# Pillow only warns past its limit (and errors at twice it); ours turns the warning into a refusal.
Image.MAX_IMAGE_PIXELS = MAX_PIXELS


class ImageRefused(MessageError, ValueError):
    """Why an image is not decoded: ``message`` is a stored message (config.messages)."""


@dataclass(frozen=True)
class ImageDigest:
    width: int
    height: int
    phash: bytes  # 8 bytes
    pdq: bytes  # 32 bytes
    pdq_quality: int  # 0-100; Meta discards matches below 50
    thumbnail: bytes  # JPEG, colour: blurred and greyed when served, until revealed
    # What a query also asks with (never stored in lists): PDQ of the 7 other rotations and mirrors,
    # and PDQ (8 variants) and pHash of the image without its uniform border, if it has one.
    pdq_variants: bytes = b""  # concatenated 32-byte hashes
    phash_variants: bytes = b""  # concatenated 8-byte hashes
    # Per mille of the image that is flat (``flat_share``): high for documents, screens and drawings.
    flat_share: int | None = None
    # What the image's tags say of its camera, time and place (``hashing.exif``), or None.
    camera: CameraFacts | None = None
    # What the caller's ``observe`` made of the decoded image (``digest_image``), or None.
    observed: object = None


def decode(stream, *, luma_modes: bool = False, draft_side: int = DRAFT_SIDE) -> Image.Image:
    """Open and decode an image at a reduced size, refusing decompression bombs and truncation.

    The image is RGB, unless ``luma_modes``: a greyscale image then stays "L", and a JPEG coded in
    YCbCr (nearly all) stays "YCbCr", which spares libjpeg's conversion to RGB (a quarter of the
    decode): its Y band is the luma PDQ and pHash compute from RGB, within a bit of it. A JPEG is
    decoded at the smallest scale that keeps both sides at least ``draft_side`` long.
    """
    # Libraries may switch this on process-wide (WeasyPrint does at import): a damaged photo must
    # be reported, never completed with grey.
    ImageFile.LOAD_TRUNCATED_IMAGES = False
    start = stream.tell() if luma_modes and stream.seekable() else None
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image = Image.open(stream)
            width, height = image.size
            if width * height > MAX_PIXELS:
                raise ImageRefused(
                    message("image.too_many_pixels", width=str(width), height=str(height), limit=MAX_PIXELS)
                )
            ycbcr = luma_modes and _coded_in_ycbcr(image)
            image.draft("YCbCr" if ycbcr else "RGB", (draft_side, draft_side))
            try:
                image.load()
            except OSError:
                if not ycbcr or start is None:
                    raise
                # Our reading of the markers was wrong: libjpeg refused the YCbCr output. As usual, then.
                stream.seek(start)
                return decode(stream, draft_side=draft_side)
            if image.mode not in (("RGB", "YCbCr", "L") if luma_modes else ("RGB",)):
                image = image.convert("RGB")
            # In place: a copy of the decode would cost as much as the pHash.
            ImageOps.exif_transpose(image, in_place=True)
        except ImageRefused:
            raise
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
            raise ImageRefused(message("image.bomb", reason=str(error))) from error
        except Image.UnidentifiedImageError as error:
            # Pillow's own message names the in-memory stream object ("<_io.BytesIO object at 0x...>").
            raise ImageRefused(message("image.unidentified")) from error
        except (OSError, SyntaxError, ValueError, EOFError) as error:
            raise ImageRefused(message("image.corrupt", reason=str(error))) from error
    image.info["original_size"] = (width, height)
    return image


def _coded_in_ycbcr(image: Image.Image) -> bool:
    """Whether libjpeg reads this JPEG's three components as YCbCr (its own rule, jdapimin.c)."""
    if image.format != "JPEG" or image.mode != "RGB" or getattr(image, "layers", 0) != 3:
        return False
    if "jfif" in image.info:
        return True
    if "adobe" in image.info:
        return image.info.get("adobe_transform") == 1
    return tuple(layer[0] for layer in image.layer) == (1, 2, 3)


def _luma(image: Image.Image) -> Image.Image:
    """The greyscale of an RGB, YCbCr or L image."""
    if image.mode == "YCbCr":
        return image.getchannel(0)
    return image if image.mode == "L" else image.convert("L")


def digest_image(stream, *, observe=None) -> ImageDigest:
    """Decode once; compute pHash, PDQ and a thumbnail. Raises ImageRefused with the reason.

    ``observe``: a callable given the decoded image (reduced, upright; RGB, YCbCr or L) before it
    is reduced further, whose answer is kept as ``observed`` (the detectors look at it: no second
    decode)."""
    image = decode(stream, luma_modes=True)
    width, height = image.info["original_size"]
    camera = camera_facts(image)  # Pillow read the tags while opening it
    observed = observe(image) if observe is not None else None
    # pHash, the border and the thumbnail need about 256 px: a larger decode (a PNG, which has no
    # draft mode) is box-reduced once for them.
    factor = min(image.size) // THUMBNAIL_SIZE
    small = image.reduce(factor) if factor >= 2 else image
    overlays = overlay_boxes(_luma(small))
    hashes = image_hashes(image, phash_image=small, original_pixels=width * height, overlays=overlays)
    # In place: neither image is used again. Box (an area average) is enough for a reduction by about
    # 2 (a photo's), for two thirds of the time of bilinear.
    small.thumbnail((THUMBNAIL_SIZE, THUMBNAIL_SIZE), Image.Resampling.BOX)
    flat = flat_share(_luma(small), overlays)
    out = io.BytesIO()
    small.convert("RGB").save(out, format="JPEG", quality=80)
    return ImageDigest(
        width, height, thumbnail=out.getvalue(), flat_share=flat, camera=camera, observed=observed, **hashes
    )


def flat_share(grey: Image.Image, overlays: list[tuple[float, float, float, float]] = ()) -> int:
    """Per mille of a greyscale image's 8x8 blocks that are flat (luma standard deviation below
    FLAT_BLOCK_STD), on the thumbnail (at most THUMBNAIL_SIZE a side), leaving out the blocks under
    the ``overlays`` (``overlay_boxes``): a box pasted over a photo does not make it a document.

    Documents, screenshots and drawings are mostly plain background, and distinct ones of one layout
    share their hashes' coarse structure: near matching asks more of them (``hashing.near_matching``).
    A photo's grain and gradients leave few blocks that flat (bench/near_calibration.py).
    """
    pixels = np.asarray(grey, dtype=np.float32)
    rows, columns = pixels.shape[0] // 8, pixels.shape[1] // 8
    if not rows or not columns:
        return 1000
    flat = pixels[: rows * 8, : columns * 8].reshape(rows, 8, columns, 8).std(axis=(1, 3)) < FLAT_BLOCK_STD
    counted = np.ones_like(flat)
    for left, top, right, bottom in overlays:
        counted[int(top * rows) : math.ceil(bottom * rows), int(left * columns) : math.ceil(right * columns)] = False
    if not counted.any():
        return 1000
    return round(1000 * float(flat[counted].mean()))


def overlay_boxes(grey: Image.Image) -> list[tuple[float, float, float, float]]:
    """The opaque boxes pasted over a greyscale image (see OVERLAY_RANGE), as (left, top, right,
    bottom) shares of its width and height; none for a screen or a drawing (more than
    OVERLAY_MAX_BOXES) or an image with none."""
    small = grey.copy()
    small.thumbnail((OVERLAY_SIDE, OVERLAY_SIDE), Image.Resampling.BOX)
    pixels = np.asarray(small)
    window = np.ones((5, 5), np.uint8)
    spread = cv2.dilate(pixels, window) - cv2.erode(pixels, window)
    count, labels, stats, _ = cv2.connectedComponentsWithStats((spread <= OVERLAY_RANGE).view(np.uint8), 8)
    height, width = pixels.shape
    boxes = []
    for number in range(1, count):
        left, top, box_width, box_height, area = stats[number]
        if not OVERLAY_MIN_SHARE * pixels.size <= area <= OVERLAY_MAX_SHARE * pixels.size:
            continue
        if area < OVERLAY_SOLID * box_width * box_height or box_width < 3 or box_height < 3:
            continue
        region = (labels[top : top + box_height, left : left + box_width] == number).view(np.uint8)
        contours, _ = cv2.findContours(region, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
        hull = cv2.contourArea(cv2.convexHull(max(contours, key=cv2.contourArea)))
        rectangle = hull >= OVERLAY_FILL * (box_width - 1) * (box_height - 1)
        badge = area >= OVERLAY_CONVEX * hull and hull >= OVERLAY_ROUND * (box_width - 1) * (box_height - 1)
        if not (rectangle or badge):
            continue
        boxes.append((left / width, top / height, (left + box_width) / width, (top + box_height) / height))
        if len(boxes) > OVERLAY_MAX_BOXES:
            return []
    return boxes


def image_hashes(
    image: Image.Image,
    *,
    phash_image: Image.Image | None = None,
    original_pixels: int | None = None,
    undo_edits: bool = True,
    overlays: list[tuple[float, float, float, float]] | None = None,
) -> dict:
    """pHash, PDQ and its quality of a decoded image, and the variants a query also asks with.

    PDQ's eight dihedral hashes (rotations by 90 degrees, mirrors) come from one computation; a
    uniform border (a frame added by a platform or an offender) is trimmed and hashed again,
    because a pad defeats both hashes (FIELD-NOTES). pHash and the border may come from a smaller
    copy (``phash_image``): pHash reduces to 32x32 anyway. One greyscale conversion serves them.
    ``original_pixels``: the size of the image before a reduced decode (see ``_pdq_luma``).
    ``undo_edits``: also the hashes of the image with a crop, a tilt or its ``overlays`` undone
    (``undone_hashes``; the overlays looked for on the greyscale if not given).
    """
    small = phash_image if phash_image is not None else image
    grey = _luma(small)
    phashes = _phash_dihedral(grey)
    # How many of the original's pixels one of the decode's stands for.
    ratio = (original_pixels or image.width * image.height) / (image.width * image.height)
    vectors, quality = pdqhash.compute_dihedral(_pdq_luma(image, ratio))
    pdqs = [_packed(vector) for vector in vectors]
    pdq_variants, phash_variants = pdqs[1:], phashes[1:]
    box = border_box(grey)
    if box is not None:
        scale = image.width / small.width
        trimmed = image.crop(tuple(round(edge * scale) for edge in box)) if scale != 1 else image.crop(box)
        trimmed_vectors, trimmed_quality = pdqhash.compute_dihedral(_pdq_luma(trimmed, ratio, PDQ_VARIANT_SIDE))
        if trimmed_quality >= PDQ_USEFUL_QUALITY:
            pdq_variants += [_packed(vector) for vector in trimmed_vectors]
        phash_variants += _phash_dihedral(grey.crop(box))
    if undo_edits:
        undone_pdqs, undone_phashes = undone_hashes(grey, overlay_boxes(grey) if overlays is None else overlays)
        pdq_variants += undone_pdqs
        phash_variants += undone_phashes
    phash = phashes[0]
    return {
        "phash": phash,
        "pdq": pdqs[0],
        "pdq_quality": int(quality),
        "pdq_variants": b"".join(dict.fromkeys(v for v in pdq_variants if v != pdqs[0])),
        "phash_variants": b"".join(dict.fromkeys(v for v in phash_variants if v != phash)),
    }


def _pdq_luma(image: Image.Image, ratio: float = 1.0, side: int = PDQ_SIDE) -> np.ndarray:
    """What pdqhash takes (an RGB array, from which it computes luma) for an image whose pixels each
    stand for ``ratio`` pixels of the original.

    An original larger than ``side`` x ``side`` is hashed on its luma resized to that square (PDQ
    reduces each side to 64 anyway). With a side of 64 x 9 (or 64 x 5) PDQ's 64 samples a side
    fall where they fall on the full image, and its box filter is 5 (or 3) pixels wide, so centred:
    the hash is then closer to the full decode's than the reduced decode's own (on 40 photos of
    12 MP, at most 8 bits away, where the 1/4 decode as it is gave up to 16 and the 1/8 one up to
    34; tests/hashing/test_perceptual.py), for less than half the pixels of the 1/4 decode. A
    smaller original is hashed as it is: upsampling would move its hash away.
    """
    if image.width * image.height * ratio > side * side:
        image = _luma(image).resize((side, side), Image.Resampling.BILINEAR, reducing_gap=3.0)
    elif image.mode == "RGB":
        return np.asarray(image)
    # Luma in all three bands: 0.299 + 0.587 + 0.114 = 1.
    luma = np.asarray(_luma(image))
    return np.broadcast_to(luma[:, :, None], (*luma.shape, 3))


def _phash_dihedral(grey: Image.Image) -> list[bytes]:
    """imagehash's pHash of a greyscale image, then of its 7 rotations and mirrors (for images whose
    PDQ is of too low a quality): first as it is, then as ``DIHEDRAL`` turns it.

    The image is reduced to 32x32 once; the turns are of that reduction, hashed together. Each
    hash is bit for bit ``imagehash.phash`` of the turned 32x32 (a test checks it).
    """
    pixels = np.asarray(grey.resize((32, 32), Image.Resampling.LANCZOS))
    turned = np.stack([pixels] + [_turn(pixels, turn) for turn in DIHEDRAL])
    return _phash_bits(turned)


DIHEDRAL = (
    Image.Transpose.FLIP_LEFT_RIGHT,
    Image.Transpose.ROTATE_90,
    Image.Transpose.ROTATE_180,
    Image.Transpose.ROTATE_270,
    Image.Transpose.FLIP_TOP_BOTTOM,
    Image.Transpose.TRANSPOSE,
    Image.Transpose.TRANSVERSE,
)


def _turn(pixels: np.ndarray, turn: Image.Transpose) -> np.ndarray:
    """An array turned as Pillow's ``Image.transpose(turn)`` turns the image."""
    return {
        Image.Transpose.FLIP_LEFT_RIGHT: lambda a: a[:, ::-1],
        Image.Transpose.FLIP_TOP_BOTTOM: lambda a: a[::-1, :],
        Image.Transpose.ROTATE_90: lambda a: np.rot90(a, 1),
        Image.Transpose.ROTATE_180: lambda a: np.rot90(a, 2),
        Image.Transpose.ROTATE_270: lambda a: np.rot90(a, 3),
        Image.Transpose.TRANSPOSE: lambda a: a.T,
        Image.Transpose.TRANSVERSE: lambda a: np.rot90(a, 2).T,
    }[turn](pixels)


def undone_hashes(
    grey: Image.Image, overlays: list[tuple[float, float, float, float]] = ()
) -> tuple[list[bytes], list[bytes]]:
    """PDQ (those of useful quality) and pHash of a greyscale image with a crop, a tilt or its
    overlays undone: its edges extended by each share of UNDO_CROP_EVERY_SIDE on every side and of
    UNDO_CROP_ONE_SIDE on each side, turned by each of UNDO_TILT_DEGREES (as it is, and zoomed out by
    the crop the turn implies), and its ``overlays``
    (``overlay_boxes``) painted over from their surroundings (OpenCV's inpainting, Telea's method);
    PDQ also with each corner painted over (UNDO_CORNER_SIDES).
    The shares are of the original's side: a side cut by 5 % on both ends is 90 % of the original's,
    extended by 5/90 of itself on each end."""
    small = grey.copy()
    small.thumbnail((UNDO_SIDE, UNDO_SIDE), Image.Resampling.BILINEAR)
    pixels = np.asarray(small)
    height, width = pixels.shape
    undone = []
    for share in UNDO_CROP_EVERY_SIDE:
        rows, columns = round(height * share / (1 - 2 * share)), round(width * share / (1 - 2 * share))
        undone.append(np.pad(pixels, ((rows, rows), (columns, columns)), mode="edge"))
    for share in UNDO_CROP_ONE_SIDE:
        rows, columns = round(height * share / (1 - share)), round(width * share / (1 - share))
        for pad in (((0, 0), (columns, 0)), ((0, 0), (0, columns)), ((rows, 0), (0, 0)), ((0, rows), (0, 0))):
            undone.append(np.pad(pixels, pad, mode="edge"))
    for degrees in UNDO_TILT_DEGREES:
        undone.append(_turned(pixels, degrees, 1.0))
        undone.append(_turned(pixels, degrees, _inside_share(degrees, width, height)))
    if overlays:
        undone.append(_painted_over(pixels, overlays))
    tiny = grey.copy()
    tiny.thumbnail((UNDO_CORNER_SIDE, UNDO_CORNER_SIDE), Image.Resampling.BILINEAR)
    cornered = [
        _corner_painted_over(np.asarray(tiny), side, corner) for side in UNDO_CORNER_SIDES for corner in range(4)
    ]
    pdqs = []
    for array in undone + cornered:
        vector, quality = pdqhash.compute(np.broadcast_to(array[:, :, None], (*array.shape, 3)))
        if quality >= PDQ_USEFUL_QUALITY:
            pdqs.append(_packed(vector))
    return pdqs, _phash_bits(np.stack([_reduced_32(array) for array in undone]))


def _reduced_32(pixels: np.ndarray) -> np.ndarray:
    """The greyscale resized to 32x32 as Pillow's LANCZOS does (to within a few grey levels: no 8-bit
    rounding between its two passes), as two matrix products: a fifth of the time of Pillow's resize
    on a thumbnail, which a query's 30-odd variants each paid."""
    height, width = pixels.shape
    return np.clip(np.rint(_lanczos_matrix(height) @ pixels @ _lanczos_matrix(width).T), 0, 255)


@lru_cache(maxsize=512)
def _lanczos_matrix(size: int, out: int = 32) -> np.ndarray:
    """Pillow's LANCZOS weights (``ImagingResample``'s coefficients) from ``size`` pixels to ``out``."""
    scale = size / out
    filterscale = max(scale, 1.0)
    support = 3.0 * filterscale
    matrix = np.zeros((out, size))
    for row in range(out):
        center = (row + 0.5) * scale
        first, last = max(int(center - support + 0.5), 0), min(int(center + support + 0.5), size)
        x = (np.arange(first, last) - center + 0.5) / filterscale
        weights = np.sinc(x) * np.sinc(x / 3)
        matrix[row, first:last] = weights / weights.sum()
    return matrix


def _inside_share(degrees: float, width: int, height: int) -> float:
    """The side of the largest rectangle of a ``width`` x ``height`` image's proportions, centred, that
    fits inside the image turned by ``degrees``, as a share of the image's side."""
    angle = math.radians(abs(degrees))
    cosine, sine = math.cos(angle), math.sin(angle)
    return min(width / (width * cosine + height * sine), height / (width * sine + height * cosine))


def _turned(pixels: np.ndarray, degrees: float, scale: float) -> np.ndarray:
    """The greyscale turned by ``degrees`` (counter-clockwise) about its centre and zoomed by ``scale``,
    in a frame of its size, what falls outside the image filled by repeating its edges."""
    height, width = pixels.shape
    turn = cv2.getRotationMatrix2D(((width - 1) / 2, (height - 1) / 2), degrees, scale)
    return cv2.warpAffine(pixels, turn, (width, height), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)


def _corner_painted_over(pixels: np.ndarray, side: float, corner: int) -> np.ndarray:
    """The greyscale with a square of ``side`` (a share of its mean side) in ``corner`` (0 top left,
    1 top right, 2 bottom left, 3 bottom right) inpainted from its surroundings."""
    height, width = pixels.shape
    length = round(side * math.sqrt(height * width))
    rows = slice(0, min(height, length)) if corner < 2 else slice(max(0, height - length), height)
    columns = slice(0, min(width, length)) if corner % 2 == 0 else slice(max(0, width - length), width)
    mask = np.zeros(pixels.shape, np.uint8)
    mask[rows, columns] = 255
    return cv2.inpaint(np.ascontiguousarray(pixels), mask, 3, cv2.INPAINT_TELEA)


def _painted_over(pixels: np.ndarray, overlays) -> np.ndarray:
    """The greyscale with each overlay box (and a pixel around it: JPEG's ringing) inpainted."""
    height, width = pixels.shape
    mask = np.zeros(pixels.shape, np.uint8)
    for left, top, right, bottom in overlays:
        rows = slice(max(0, int(top * height) - 1), min(height, math.ceil(bottom * height) + 1))
        columns = slice(max(0, int(left * width) - 1), min(width, math.ceil(right * width) + 1))
        mask[rows, columns] = 255
    return cv2.inpaint(np.ascontiguousarray(pixels), mask, 3, cv2.INPAINT_TELEA)


def _phash_bits(reduced: np.ndarray) -> list[bytes]:
    """imagehash's pHash of each 32x32 greyscale array of ``reduced`` (shape (n, 32, 32)): a DCT-II
    along the columns then the rows, the 8x8 lowest frequencies against their median."""
    low = scipy.fftpack.dct(scipy.fftpack.dct(reduced, axis=1), axis=2)[:, :8, :8]
    bits = low > np.median(low, axis=(1, 2), keepdims=True)
    return [np.packbits(hash_bits).tobytes() for hash_bits in bits]


def _packed(vector) -> bytes:
    return np.packbits(vector.astype(np.uint8)).tobytes()


# Pixels farther from the corner's colour than the tolerance are content.
_CONTENT = [255 if value > BORDER_TOLERANCE else 0 for value in range(256)]


def border_box(grey: Image.Image) -> tuple[int, int, int, int] | None:
    """The box inside a uniform border of the top-left corner's colour, or None if there is none."""
    background = Image.new("L", grey.size, grey.getpixel((0, 0)))
    box = ImageChops.difference(grey, background).point(_CONTENT).getbbox()
    if box is None:
        return None  # all one colour
    left, top, right, bottom = box
    width, height = grey.size
    trimmed_width, trimmed_height = right - left, bottom - top
    if trimmed_width < width * 0.2 or trimmed_height < height * 0.2:
        return None  # a drawing on a plain background, not a frame
    if width - trimmed_width < width * BORDER_MIN_SHARE and height - trimmed_height < height * BORDER_MIN_SHARE:
        return None
    return box


def veiled(thumbnail: bytes, blur_radius: float) -> bytes:
    """The thumbnail as shown before a reveal: greyscale and blurred (reviewer welfare)."""
    image = Image.open(io.BytesIO(thumbnail)).convert("L").filter(ImageFilter.GaussianBlur(blur_radius))
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=70)
    return out.getvalue()


def hamming(a: bytes, b: bytes) -> int:
    return (int.from_bytes(a, "big") ^ int.from_bytes(b, "big")).bit_count()
