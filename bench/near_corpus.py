"""The near-match corpus: altered copies of photos (recall) and over a million pairs of distinct,
hard, benign images (false positives), hashed by the product's own code (``digest_image``), and the
distances the product would see for each pair (issue 21). Plain Python, numpy and Pillow; the
features are then read by ``bench.near_rules``.

Every image is drawn here from a fixed seed out of scikit-image's bundled photos (no download) or
generated (gradients, text pages, screenshots, ``evidence.synthetic``): the same run gives the
same bytes. A list entry holds only the original's PDQ and pHash; a query asks with its variants.
"""

import hashlib
import io
import os
import random
import time
from concurrent.futures import ProcessPoolExecutor
from functools import cache
from math import cos, radians, sin
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageEnhance, ImageFont, ImageOps

from bench.match import SKIMAGE_PHOTOS

SEED = 21
CORPUS_VERSION = 2  # raise it when the images drawn here change: the cached digests are then rebuilt
# Larger photos cut into distinct originals: (photo, columns, rows); a tile is kept when at least
# 256 px a side and not mostly black (the retina's and the Hubble field's backgrounds).
TILED = (
    ("retina.jpg", 4, 4),
    ("hubble_deep_field.jpg", 3, 3),
    ("motorcycle_left.png", 2, 1),
    ("coffee.png", 2, 1),
    ("rocket.jpg", 2, 1),
    ("astronaut.png", 2, 2),
    ("ihc.png", 2, 2),
    ("cell.png", 2, 2),
)
TEXTURES = ("grass.png", "gravel.png", "brick.png")
WORDS = (
    "invoice report meeting agenda total amount balance account summary notes project budget review "
    "draft final schedule delivery order customer supplier contract payment reference number date "
    "address phone email office branch manager team quarter annual monthly weekly status pending "
    "approved rejected urgent attached please regards thanks subject item quantity price tax"
).split()


@cache
def _skimage(name: str) -> Image.Image:
    import skimage

    return Image.open(Path(skimage.__file__).parent / "data" / name).convert("RGB")


@cache
def _noise_tile() -> np.ndarray:
    return np.random.default_rng(SEED).standard_normal((256, 256)).astype(np.float32)


def _grain(image: Image.Image, sigma: float, rng: random.Random) -> Image.Image:
    """A photo's sensor grain (luma noise), so that re-encodes behave as on photos, not flat art: a
    seeded noise tile, repeated from a random offset (Pillow's ``effect_noise`` cannot be seeded)."""
    width, height = image.size
    offset_y, offset_x = rng.randrange(256), rng.randrange(256)
    tiled = np.tile(_noise_tile(), (height // 256 + 2, width // 256 + 2))
    noise = np.rint(tiled[offset_y : offset_y + height, offset_x : offset_x + width] * sigma).astype(np.int16)
    pixels = np.asarray(image.convert("RGB"), dtype=np.int16) + noise[..., None]
    return Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8))


def _as_photo(image: Image.Image, rng: random.Random, low: int, high: int) -> Image.Image:
    """Upscaled to a long side in [low, high] px (realistic sizes), with a little grain."""
    long_side = rng.randint(low, high)
    scale = long_side / max(image.size)
    size = (max(1, round(image.width * scale)), max(1, round(image.height * scale)))
    return _grain(image.resize(size, Image.Resampling.LANCZOS), rng.uniform(2.0, 4.0), rng)


def _jpeg(image: Image.Image, quality: int) -> bytes:
    out = io.BytesIO()
    image.convert("RGB").save(out, format="JPEG", quality=quality)
    return out.getvalue()


def _png(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.convert("RGB").save(out, format="PNG", compress_level=1)
    return out.getvalue()


# --- Recall: originals and their altered copies ---------------------------------------------------


def recall_sources() -> list[tuple[str, str, tuple[int, int, int, int]]]:
    """(name, scikit-image photo, box in it) of each original: the photos whole, then distinct tiles."""
    sources = [(name.split(".")[0], name, (0, 0, *_skimage(name).size)) for name in SKIMAGE_PHOTOS]
    for name, columns, rows in TILED:
        photo = _skimage(name)
        width, height = photo.width // columns, photo.height // rows
        for column in range(columns):
            for row in range(rows):
                box = (column * width, row * height, (column + 1) * width, (row + 1) * height)
                pixels = np.asarray(photo.crop(box).convert("L"))
                if min(width, height) >= 256 and (pixels > 40).mean() > 0.7:
                    sources.append((f"{name.split('.')[0]}-{column}{row}", name, box))
    return sources


def recall_original(number: int) -> Image.Image:
    _, name, box = recall_sources()[number]
    return _as_photo(_skimage(name).crop(box), random.Random(SEED * 1000 + number), 1200, 2000)


def _crop_sides(image: Image.Image, left=0.0, top=0.0, right=0.0, bottom=0.0) -> Image.Image:
    width, height = image.size
    return image.crop(
        (round(width * left), round(height * top), round(width * (1 - right)), round(height * (1 - bottom)))
    )


def _rotate(image: Image.Image, angle: float, *, crop: bool) -> Image.Image:
    """Rotated (black corners), or then cropped to the largest upright rectangle without them."""
    turned = image.rotate(angle, Image.Resampling.BICUBIC, expand=False, fillcolor=(0, 0, 0))
    if not crop:
        return turned
    width, height = image.size
    # The largest axis-aligned rectangle of the same centre inside the rotated one (same aspect).
    a = radians(abs(angle))
    scale = min(width / (width * cos(a) + height * sin(a)), height / (width * sin(a) + height * cos(a)))
    w, h = width * scale, height * scale
    return turned.crop(
        (round((width - w) / 2), round((height - h) / 2), round((width + w) / 2), round((height + h) / 2))
    )


def _font(size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.load_default(size=max(8, size))


def _box_text(image: Image.Image, share: float, rng: random.Random) -> Image.Image:
    """An opaque box (3:1) of ``share`` of the area, with text, somewhere in the image."""
    marked = image.copy()
    width, height = marked.size
    h = (share * width * height / 3) ** 0.5
    w = 3 * h
    x, y = rng.uniform(0, width - w), rng.uniform(0, height - h)
    draw = ImageDraw.Draw(marked)
    colour = tuple(rng.randrange(256) for _ in range(3))
    draw.rectangle((x, y, x + w, y + h), fill=colour)
    text_colour = (255, 255, 255) if sum(colour) < 380 else (0, 0, 0)
    draw.text(
        (x + h * 0.15, y + h * 0.25), "@channel_" + str(rng.randrange(1000)), font=_font(int(h * 0.4)), fill=text_colour
    )
    return marked


def _text_lines(image: Image.Image, share: float, rng: random.Random) -> Image.Image:
    """A watermark: white text lines (black outline), whose boxes cover ``share`` of the area."""
    marked = image.copy()
    width, height = marked.size
    draw = ImageDraw.Draw(marked)
    font = _font(height // 30)
    covered, y = 0.0, rng.uniform(0, height * 0.2)
    while covered < share * width * height:
        text = f"shared via example.invalid @user{rng.randrange(1000)}"
        x = rng.uniform(0, width * 0.4)
        box = draw.textbbox((x, y), text, font=font, stroke_width=1)
        covered += (min(box[2], width) - box[0]) * (box[3] - box[1])
        draw.text((x, y), text, font=font, fill=(255, 255, 255), stroke_width=1, stroke_fill=(0, 0, 0))
        y = (y + height * rng.uniform(0.1, 0.25)) % height
    return marked


def _logo(image: Image.Image, share: float, rng: random.Random) -> Image.Image:
    """A channel's logo in a corner: a disc and a banner with letters, in a square of ``share`` of the area."""
    marked = image.copy()
    width, height = marked.size
    side = (share * width * height) ** 0.5
    margin = 0.02 * min(width, height)
    x = margin if rng.random() < 0.5 else width - side - margin
    y = margin if rng.random() < 0.5 else height - side - margin
    draw = ImageDraw.Draw(marked)
    colour = tuple(rng.randrange(256) for _ in range(3))
    draw.ellipse((x, y, x + side, y + side), fill=colour, outline=(255, 255, 255), width=max(1, int(side / 30)))
    draw.rectangle((x, y + side * 0.6, x + side, y + side * 0.9), fill=(255, 255, 255))
    draw.text(
        (x + side * 0.1, y + side * 0.62), "TV" + str(rng.randrange(100)), font=_font(int(side * 0.22)), fill=colour
    )
    return marked


def alterations(image: Image.Image, rng: random.Random) -> list[tuple[str, bytes]]:
    """(family, JPEG bytes) of each altered copy of one original."""
    out: list[tuple[str, bytes]] = []

    def add(family: str, altered: Image.Image, quality: int | None = None) -> None:
        out.append((family, _jpeg(altered, quality or rng.randint(85, 90))))

    for share in (0.02, 0.05, 0.08, 0.10):
        add(f"crop_all_{round(share * 100)}", _crop_sides(image, share, share, share, share))
    for share in (0.02, 0.05, 0.10):
        side = rng.choice(("left", "top", "right", "bottom"))
        add(f"crop_side_{round(share * 100)}", _crop_sides(image, **{side: share}))
    for angle in (1, 2, 3, 4, 5):
        for sign in (1, -1):
            add(f"rotate_{angle}_black", _rotate(image, sign * angle, crop=False))
            add(f"rotate_{angle}_cropped", _rotate(image, sign * angle, crop=True))
    for share in (0.02, 0.04, 0.06, 0.08):
        percent = round(share * 100)
        add(f"overlay_box_{percent}", _box_text(image, share, rng))
        add(f"overlay_text_{percent}", _text_lines(image, share, rng))
        add(f"overlay_logo_{percent}", _logo(image, share, rng))
    for factor in (0.7, 0.8, 1.2, 1.3):
        add(f"brightness_{factor}", ImageEnhance.Brightness(image).enhance(factor))
    for factor in (0.7, 1.3):
        add(f"contrast_{factor}", ImageEnhance.Contrast(image).enhance(factor))
    for quality in (30, 50, 70, 90):
        add(f"jpeg_{quality}", image, quality)
    add("resize_50", image.resize((image.width // 2, image.height // 2), Image.Resampling.LANCZOS))
    add("mirror", ImageOps.mirror(image))
    add("greyscale", ImageOps.grayscale(image))
    add("border_10", ImageOps.expand(image, border=int(max(image.size) * 0.1), fill=(0, 0, 0)))
    add("combo_crop5_box4", _box_text(_crop_sides(image, 0.05, 0.05, 0.05, 0.05), 0.04, rng))
    add(
        "combo_rotate3_bright1.2", ImageEnhance.Brightness(_rotate(image, rng.choice((3, -3)), crop=False)).enhance(1.2)
    )
    add("combo_crop5_jpeg50", _crop_sides(image, 0.05, 0.05, 0.05, 0.05), 50)
    add("combo_rotate2_crop3", _crop_sides(_rotate(image, rng.choice((2, -2)), crop=False), 0.03, 0.03, 0.03, 0.03))
    half = _logo(image, 0.04, rng)
    add("combo_logo4_resize50", half.resize((image.width // 2, image.height // 2), Image.Resampling.LANCZOS))
    add("combo_mirror_crop5", ImageOps.mirror(_crop_sides(image, 0.05, 0.05, 0.05, 0.05)))
    add("combo_text4_bright0.8", ImageEnhance.Brightness(_text_lines(image, 0.04, rng)).enhance(0.8))
    return out


# --- Hard negatives: distinct images ---------------------------------------------------------------


def _tile_boxes(size: tuple[int, int], rng: random.Random, count: int) -> list[tuple[int, int, int, int]]:
    """Up to ``count`` boxes of several scales in a photo, no two overlapping."""
    width, height = size
    boxes: list[tuple[int, int, int, int]] = []
    for _ in range(count * 40):
        side = rng.choice((64, 96, 128, 160, 192, 256))
        w, h = side, int(side * rng.uniform(0.75, 1.33))
        if w > width or h > height:
            continue
        x, y = rng.randrange(width - w + 1), rng.randrange(height - h + 1)
        box = (x, y, x + w, y + h)
        if all(box[2] <= o[0] or o[2] <= box[0] or box[3] <= o[1] or o[3] <= box[1] for o in boxes):
            boxes.append(box)
            if len(boxes) == count:
                break
    return boxes


def _gradient(rng: random.Random, size: tuple[int, int]) -> Image.Image:
    width, height = size
    kind = rng.randrange(3)
    y, x = np.mgrid[0:height, 0:width].astype(np.float32)
    if kind == 0:  # linear, in some direction
        a = rng.uniform(0, 6.283)
        t = (x * cos(a) + y * sin(a)) / (width + height)
    elif kind == 1:  # radial
        cx, cy = rng.uniform(0, width), rng.uniform(0, height)
        t = np.hypot(x - cx, y - cy) / max(width, height)
    else:  # two-tone, split along a line
        a, c = rng.uniform(0, 6.283), rng.uniform(0.3, 0.7)
        t = ((x / width - 0.5) * cos(a) + (y / height - 0.5) * sin(a) + 0.5 > c).astype(np.float32)
    t = (t - t.min()) / max(float(t.max() - t.min()), 1e-6)
    first, second = (np.array([rng.randrange(256) for _ in range(3)], np.float32) for _ in range(2))
    if rng.random() < 0.3:  # near-uniform: the two colours close
        second = np.clip(first + np.array([rng.uniform(-25, 25) for _ in range(3)]), 0, 255)
    pixels = first + t[..., None] * (second - first)
    image = Image.fromarray(pixels.astype(np.uint8))
    return _grain(image, rng.uniform(1.0, 8.0), rng)


def _document(rng: random.Random, layout: int) -> Image.Image:
    """A text page (Pillow's default font): ``layout`` fixes margins, sizes and columns, not the words."""
    shape = random.Random(layout)
    width, height = shape.choice(((1240, 1754), (1654, 2339), (1100, 1400)))
    size = shape.choice((14, 18, 22, 28, 36))
    columns = shape.choice((1, 1, 2))
    margin = shape.randint(60, 200)
    page = Image.new("RGB", (width, height), (255, 255, 255) if shape.random() < 0.8 else (250, 246, 235))
    draw = ImageDraw.Draw(page)
    font, title = _font(size), _font(size * 2)
    draw.text((margin, margin), " ".join(rng.choices(WORDS, k=3)).title(), font=title, fill=(0, 0, 0))
    column_width = (width - 2 * margin) // columns
    for column in range(columns):
        y = margin + size * 4
        while y < height - margin - size:
            if shape.random() < 0.08:
                y += size  # a paragraph break
            line, x = [], 0
            while x < column_width * rng.uniform(0.6, 1.0):
                word = rng.choice(WORDS)
                line.append(word)
                x += (len(word) + 1) * size * 0.55
            draw.text((margin + column * column_width, y), " ".join(line), font=font, fill=(20, 20, 20))
            y += int(size * 1.5)
    return _grain(page, 1.5, rng) if shape.random() < 0.5 else page  # half scanned, half rendered


THEMES = (
    ((240, 240, 240), (255, 255, 255), (0, 120, 215), (20, 20, 20)),
    ((32, 33, 36), (48, 49, 52), (138, 180, 248), (232, 234, 237)),
    ((236, 229, 221), (255, 255, 255), (7, 94, 84), (17, 27, 33)),
    ((25, 25, 112), (45, 45, 140), (255, 200, 0), (240, 240, 255)),
)


def _screenshot(rng: random.Random, layout: int) -> Image.Image:
    """A UI-like screen: title bar, side bar, buttons, text boxes, list rows; ``layout`` fixes the places
    and the theme, the contents vary."""
    shape = random.Random(10_000 + layout)
    width, height = shape.choice(((1280, 800), (1920, 1080), (1080, 2340), (1366, 768)))
    background, panel, accent, ink = shape.choice(THEMES)
    screen = Image.new("RGB", (width, height), background)
    draw = ImageDraw.Draw(screen)
    bar = min(width, height) // 14
    font = _font(bar // 2)
    draw.rectangle((0, 0, width, bar), fill=accent)
    draw.text((bar // 2, bar // 4), " ".join(rng.choices(WORDS, k=2)).title(), font=font, fill=panel)
    side = int(width * shape.uniform(0.15, 0.3)) if width > height else 0
    if side:
        draw.rectangle((0, bar, side, height), fill=panel)
        for row in range(shape.randint(5, 12)):
            draw.text((bar // 2, bar * (2 + row)), rng.choice(WORDS).title(), font=font, fill=ink)
    y = bar * 2
    for _ in range(shape.randint(3, 6)):  # text boxes with their label, and a button
        draw.text((side + bar, y), rng.choice(WORDS).title() + ":", font=font, fill=ink)
        draw.rectangle((side + bar * 5, y - 4, width - bar * 4, y + bar - 4), fill=panel, outline=ink)
        draw.text((side + bar * 5 + 6, y), " ".join(rng.choices(WORDS, k=rng.randint(0, 4))), font=font, fill=ink)
        draw.rounded_rectangle((width - bar * 3.5, y - 4, width - bar // 2, y + bar - 4), radius=6, fill=accent)
        y += int(bar * 1.6)
    while y < height - bar:  # list rows
        draw.line((side + bar, y, width - bar, y), fill=panel, width=2)
        draw.text((side + bar, y + bar // 4), " ".join(rng.choices(WORDS, k=rng.randint(3, 9))), font=font, fill=ink)
        y += int(bar * 1.2)
    return screen


def negative_specs() -> list[tuple[str, str, tuple[int, int, int, int] | None, int]]:
    """(family, source photo or "", box in it or None, seed) of each distinct image of the pool."""
    rng = random.Random(SEED)
    specs: list = []
    for name in SKIMAGE_PHOTOS:  # non-overlapping tiles of several scales of each photo
        count = 60 if name == "retina.jpg" else 30
        family = "texture_tile" if name in TEXTURES else "photo_tile"
        for box in _tile_boxes(_skimage(name).size, rng, count):
            specs.append((family, name, box, rng.randrange(1 << 30)))
    specs += [("face", "", None, number) for number in range(200)]
    specs += [("flat", "", None, number) for number in range(250)]
    specs += [("document", "", None, number) for number in range(300)]
    specs += [("screenshot", "", None, number) for number in range(300)]
    specs += [("synthetic", "", None, number) for number in range(250)]
    return specs


def negative_image(spec) -> bytes:
    from evidence.synthetic import synthetic_image

    family, name, box, seed = spec
    rng = random.Random(seed * 7 + len(family))
    if name:
        return _jpeg(_as_photo(_skimage(name).crop(box), rng, 700, 1600), rng.randint(85, 92))
    if family == "face":
        faces = _lfw()
        face = Image.fromarray((faces[seed] * 255).astype(np.uint8)).convert("RGB")
        return _jpeg(_as_photo(face, rng, 400, 900), rng.randint(85, 92))
    if family == "flat":
        return _jpeg(_gradient(rng, rng.choice(((1200, 900), (800, 800), (1600, 1000)))), rng.randint(85, 92))
    if family == "document":  # 25 layouts, 10 pages each with other words
        return _png(_document(rng, seed % 25))
    if family == "screenshot":
        return _png(_screenshot(rng, seed % 25))
    return _jpeg(_grain(synthetic_image(seed + 1000, size=(1200, 900)), 2.0, rng), 90)


@cache
def _lfw() -> np.ndarray:
    import skimage

    return np.load(Path(skimage.__file__).parent / "data" / "lfw_subset.npy")


# --- Hashing: the product's digests, and extra query-side pHash variants (item 5) ------------------

EXTRA_VARIANTS = ("uncrop_5", "uncrop_10", "rotate_+2", "rotate_-2", "rotate_+4", "rotate_-4")


def _phash(grey: np.ndarray) -> np.ndarray:
    """imagehash's pHash (as ``hashing.perceptual._phash_dihedral``'s first) of a greyscale array: 64 bools."""
    import scipy.fftpack

    pixels = np.asarray(Image.fromarray(grey).resize((32, 32), Image.Resampling.LANCZOS), dtype=np.float64)
    low = scipy.fftpack.dct(scipy.fftpack.dct(pixels, axis=0), axis=1)[:8, :8]
    return (low > np.median(low)).ravel()


def _query_grey(content: bytes) -> np.ndarray:
    """The greyscale ``digest_image`` computes pHash from (reduced decode, then box-reduced to ~256 px)."""
    from hashing.perceptual import THUMBNAIL_SIZE, decode

    image = decode(io.BytesIO(content), luma_modes=True)
    factor = min(image.size) // THUMBNAIL_SIZE
    small = image.reduce(factor) if factor >= 2 else image
    return np.asarray(small.getchannel(0) if small.mode == "YCbCr" else small.convert("L"))


def _extra_from_grey(grey: np.ndarray) -> bytes:
    """pHash of the query guessed back to its original: zoomed out with reflected edges (a crop of 5 %
    or 10 % a side undone) and turned by +/-2 and +/-4 degrees; 8 bytes each, in EXTRA_VARIANTS order.
    From the greyscale the product already has for pHash (so timed alone: what they would cost it),
    reduced first to about 128 px: pHash keeps only a 32x32 reduction's lowest frequencies anyway."""
    factor = min(grey.shape) // 128
    if factor >= 2:
        grey = np.asarray(Image.fromarray(grey).reduce(factor))
    hashes = []
    for share in (0.05, 0.10):
        pad_y, pad_x = (round(side * share / (1 - 2 * share)) for side in grey.shape)
        hashes.append(_phash(np.pad(grey, ((pad_y, pad_y), (pad_x, pad_x)), mode="reflect")))
    picture = Image.fromarray(grey)
    fill = int(np.median(grey))
    for angle in (2, -2, 4, -4):
        hashes.append(_phash(np.asarray(picture.rotate(angle, Image.Resampling.BILINEAR, fillcolor=fill))))
    return b"".join(np.packbits(bits).tobytes() for bits in hashes)


def _digest(content: bytes) -> dict:
    from hashing.perceptual import digest_image

    started = time.perf_counter()
    digest = digest_image(io.BytesIO(content))
    digest_ms = (time.perf_counter() - started) * 1000
    grey = _query_grey(content)  # the product would not decode again: not timed
    started = time.perf_counter()
    extra = _extra_from_grey(grey)
    extra_ms = (time.perf_counter() - started) * 1000
    return {
        "pdq": digest.pdq,
        "pdq_quality": digest.pdq_quality,
        "pdq_variants": digest.pdq_variants,
        "phash": digest.phash,
        "phash_variants": digest.phash_variants,
        "extra": extra,
        "digest_ms": digest_ms,
        "extra_ms": extra_ms,
    }


def _recall_task(number: int) -> list[dict]:
    original = recall_original(number)
    rng = random.Random(SEED * 31 + number)
    records = [{"original": number, "family": "original", **_digest(_jpeg(original, 92))}]
    for family, content in alterations(original, rng):
        records.append({"original": number, "family": family, **_digest(content)})
    return records


def _negative_task(numbers: list[int]) -> list[dict]:
    specs = negative_specs()
    return [
        {"number": number, "family": specs[number][0], **_digest(negative_image(specs[number]))} for number in numbers
    ]


def corpus_key() -> str:
    """Changes when the corpus (CORPUS_VERSION) or the product's hashing changes: the cache is then rebuilt."""
    from hashing import perceptual

    source = Path(perceptual.__file__).read_bytes()
    return hashlib.sha256(f"{CORPUS_VERSION}\n".encode() + source).hexdigest()[:16]


def digest_corpus(cache_folder: Path, workers: int = 2) -> tuple[list[dict], list[dict]]:
    """(recall records, negative records), hashed in ``workers`` processes, cached under ``cache_folder``."""
    import pickle

    path = cache_folder / f"near-corpus-{corpus_key()}.pickle"
    if path.exists():
        return pickle.loads(path.read_bytes())  # noqa: S301 - our own cache, written below
    numbers = list(range(len(negative_specs())))
    chunks = [numbers[start : start + 40] for start in range(0, len(numbers), 40)]
    with ProcessPoolExecutor(workers) as pool:
        recall = [record for records in pool.map(_recall_task, range(len(recall_sources()))) for record in records]
        negatives = [record for records in pool.map(_negative_task, chunks) for record in records]
    cache_folder.mkdir(parents=True, exist_ok=True)
    path.write_bytes(pickle.dumps((recall, negatives)))
    return recall, negatives


def bench_near_robustness(work: Path) -> dict:
    """Recall per alteration family and false positives on over a million distinct-image pairs, for
    each hash alone, today's rule and the proposed strong and possible rules (``bench.near_rules``)."""
    from bench import near_rules as rules
    from bench.run import ROOT, figure

    cache_folder = Path(os.environ.get("NEAR_CORPUS_CACHE", ROOT / "var" / "nearbench"))
    data = rules.load_features(cache_folder)
    named = {
        "phash": (lambda p, h: h <= 10, "pdq", "phash_own"),
        "pdq": (lambda p, h: p <= 31, "pdq_own", "phash"),
        "today": (rules.rule_today, "pdq", "phash"),
        "strong": (rules.rule_strong, "pdq", "phash"),
        "possible": (rules.rule_possible, "pdq", "phash"),
        "possible_extra": (rules.rule_possible, "pdq", "phash_extra"),
    }
    overall = {
        name: float(rule(data[f"recall_{pdq}"], data[f"recall_{phash}"]).mean())
        for name, (rule, pdq, phash) in named.items()
    }
    copies, originals = len(data["recall_family"]), len(set(data["recall_original"].tolist()))
    results = {}
    for name, value in overall.items():
        results[f"near_recall_{name}"] = figure(
            value, f"recall, {copies} altered copies of {originals} originals; baseline: today's rule",
            overall["today"], value / overall["today"] if overall["today"] else 0,
        )  # fmt: skip
    groups = {}
    for name, (rule, pdq, phash) in named.items():
        matched = rule(data[f"recall_{pdq}"], data[f"recall_{phash}"])
        kinds = np.array([rules.group_of(family) for family in data["recall_family"]])
        groups[name] = {group: float(matched[kinds == group].mean()) for group in rules.GROUPS}
    for group in rules.GROUPS:
        others = ", ".join(f"{name} {groups[name][group]:.2f}" for name in named if name != "strong")
        results[f"near_recall_{group}"] = figure(
            groups["strong"][group], f"recall, strong rule ({others}); baseline: today's rule",
            groups["today"][group], groups["strong"][group] / groups["today"][group] if groups["today"][group] else 0,
        )  # fmt: skip
    for name, (rule, _, phash) in named.items():
        found = rules.false_positives(data, rule, phash)
        rate = found["found"] / found["trials"]
        results[f"near_false_positives_{name}"] = figure(
            found["found"], f"false matches among {found['trials']:,} distinct-image pairs (rate {rate:.2g},"
            f" 95 % upper bound {found['upper']:.2g})", 0, found["found"],
        )  # fmt: skip
        if name in ("today", "strong", "possible", "possible_extra"):
            results[f"near_false_candidates_10m_{name}"] = figure(
                found["upper"] * 1e7, f"false candidates per query against 10 million entries, at the 95 % upper"
                f" bound of the rate (at the rate measured: {rate * 1e7:.2g})", 0, found["upper"] * 1e7,
            )  # fmt: skip
    digest_ms, extra_ms = float(np.median(data["digest_ms"])), float(np.median(data["extra_ms"]))
    results["near_query_variants_ms"] = figure(
        extra_ms, f"ms per image for the {len(EXTRA_VARIANTS)} extra query-side pHash variants; baseline: the"
        " product's digest_image (median)", digest_ms, extra_ms / digest_ms,
    )  # fmt: skip
    return results


if __name__ == "__main__" and os.environ.get("NEAR_CORPUS_SAMPLES"):
    # Writes a few samples of each kind to look at: NEAR_CORPUS_SAMPLES=/tmp/folder python -m bench.near_corpus
    folder = Path(os.environ["NEAR_CORPUS_SAMPLES"])
    folder.mkdir(parents=True, exist_ok=True)
    original = recall_original(0)
    for family, content in alterations(original, random.Random(1)):
        (folder / f"alt-{family}.jpg").write_bytes(content)
    specs = negative_specs()
    seen: dict[str, int] = {}
    for spec in specs:
        if seen.get(spec[0], 0) < 3:
            seen[spec[0]] = seen.get(spec[0], 0) + 1
            (folder / f"neg-{spec[0]}-{seen[spec[0]]}.img").write_bytes(negative_image(spec))
    print(len(recall_sources()), "originals,", len(specs), "distinct negatives")
