"""Images of the near-match corpus (issue 21), drawn from fixed seeds: scikit-image's bundled photos
(no download) made photo-like, their alterations (crops, rotations, overlays, tone, re-encodes), and
hard distinct images (non-overlapping tiles, faces, flat images, text pages and screenshots sharing
layouts, ``evidence.synthetic`` scenes). Never real material: the same seed gives the same bytes.
"""

import io
import random
from functools import cache
from math import cos, radians, sin
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageEnhance, ImageFont, ImageOps

from bench.match import SKIMAGE_PHOTOS

SEED = 21
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


# --- Alterations ---------------------------------------------------------------------------------


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
    # Pages and screens of the same layouts, scanned or photographed: grain and JPEG over their plain
    # background (their thumbnails' blocks then vary by a few grey levels, as a photo's do).
    specs += [("scan", "", None, number) for number in range(200)]
    specs += [("screen_photo", "", None, number) for number in range(200)]
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
    if family == "scan":
        return _jpeg(_grain(_document(rng, seed % 25), rng.uniform(2.0, 4.0), rng), rng.randint(80, 92))
    if family == "screen_photo":
        return _jpeg(_grain(_screenshot(rng, seed % 25), rng.uniform(2.0, 4.0), rng), rng.randint(80, 92))
    return _jpeg(_grain(synthetic_image(seed + 1000, size=(1200, 900)), 2.0, rng), 90)


@cache
def _lfw() -> np.ndarray:
    import skimage

    return np.load(Path(skimage.__file__).parent / "data" / "lfw_subset.npy")
