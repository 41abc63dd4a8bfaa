"""Local-feature verification (hashing/keypoints.py): recall per alteration, false verifications on
hard pairs, and its cost per candidate against the decode and perceptual digests of the same file.

Every image is benign: scikit-image's bundled photos (no download), their non-overlapping tiles,
and documents, screenshots, flat images and textures drawn here from fixed seeds.
"""

import io
import itertools
import math
import random
import time
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageEnhance, ImageFont

from bench.match import SKIMAGE_PHOTOS

# The larger photos also give non-overlapping tiles (columns x rows) as originals of their own.
TILED = {"retina.jpg": (2, 2), "hubble_deep_field.jpg": (2, 2), "coffee.png": (2, 1), "motorcycle_left.png": (2, 1)}
REAL_SIDE = 1600  # originals are upscaled to a camera's or a phone screen's size


def skimage_photo(name: str) -> Image.Image:
    import skimage

    return Image.open(Path(skimage.__file__).parent / "data" / name).convert("RGB")


def _real_size(image: Image.Image, seed: int, side: int = REAL_SIDE) -> Image.Image:
    """Upscaled to ``side`` on its long side, with a sensor's grain (fixed by ``seed``)."""
    scale = side / max(image.size)
    big = image.resize((round(image.width * scale), round(image.height * scale)), Image.Resampling.BICUBIC)
    grain = np.random.default_rng(seed).normal(0, 3, (big.height, big.width, 1))
    return Image.fromarray(np.clip(np.asarray(big, dtype=np.float32) + grain, 0, 255).astype(np.uint8))


def _tiles(image: Image.Image, columns: int, rows: int, gap: int = 4) -> list[Image.Image]:
    """Non-overlapping tiles (``gap`` pixels apart): no pixel of one is in another."""
    width, height = image.width // columns, image.height // rows
    return [
        image.crop((c * width + gap, r * height + gap, (c + 1) * width - gap, (r + 1) * height - gap))
        for r in range(rows)
        for c in range(columns)
    ]


def originals() -> list[tuple[str, Image.Image]]:
    """The photos (and tiles of the larger ones) whose altered copies must be verified, at real size."""
    found = []
    for number, name in enumerate(SKIMAGE_PHOTOS):
        photo = skimage_photo(name)
        found.append((name, _real_size(photo, number)))
        for position, tile in enumerate(_tiles(photo, *TILED.get(name, (0, 0))) if name in TILED else []):
            found.append((f"{name}#{position}", _real_size(tile, 100 + 10 * number + position)))
    # Screens and papers are shared too: two letters and two windows (seeds unused by the negatives).
    from evidence.synthetic import synthetic_image

    found += [("document 0", document(0, 900)), ("document 2", document(2, 901))]
    found += [("screenshot 0", screenshot(0, 900)), ("screenshot 1", screenshot(1, 901, synthetic_image(900)))]
    return found


def jpeg(image: Image.Image, quality: int = 85) -> bytes:
    out = io.BytesIO()
    image.convert("RGB").save(out, format="JPEG", quality=quality)
    return out.getvalue()


def font(size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.load_default(size=size)


def crop_every_side(image: Image.Image, share: float) -> Image.Image:
    dx, dy = round(image.width * share), round(image.height * share)
    return image.crop((dx, dy, image.width - dx, image.height - dy))


def crop_one_side(image: Image.Image, share: float) -> Image.Image:
    return image.crop((0, 0, image.width - round(image.width * share), image.height))


def rotate(image: Image.Image, degrees: float) -> Image.Image:
    """Turned about its centre, the corners filled black (as an editor does without cropping)."""
    return image.rotate(degrees, resample=Image.Resampling.BICUBIC, fillcolor=(0, 0, 0))


def text_box(image: Image.Image, share: float = 0.06) -> Image.Image:
    """An opaque box with a line of text over ``share`` of the image, low on the left."""
    marked = image.copy()
    width = round(image.width * 0.4)
    height = round(image.width * image.height * share / width)
    left, top = round(image.width * 0.08), round(image.height * 0.72)
    draw = ImageDraw.Draw(marked)
    draw.rectangle((left, top, left + width, top + height), fill=(20, 20, 20))
    draw.text((left + 10, top + height // 4), "t.me/example_channel", font=font(max(height // 3, 10)), fill="white")
    return marked


def logo(side: int) -> Image.Image:
    """A channel's logo: a ring, a letter and a name, on transparency."""
    mark = Image.new("RGBA", (side, side), (0, 0, 0, 0))
    draw = ImageDraw.Draw(mark)
    draw.ellipse((2, 2, side - 3, side - 3), fill=(230, 57, 70, 230), outline="white", width=max(side // 20, 2))
    draw.text((side // 2, side // 2), "X", font=font(side // 2), fill="white", anchor="mm")
    draw.text((side // 2, side - side // 6), "example", font=font(max(side // 9, 8)), fill="white", anchor="mm")
    return mark


def stamp_logo(image: Image.Image, share: float = 0.04) -> Image.Image:
    """The logo in the bottom-right corner, over ``share`` of the image."""
    side = round(math.sqrt(image.width * image.height * share))
    marked = image.convert("RGB").copy()
    margin = max(side // 8, 4)
    marked.paste(logo(side), (image.width - side - margin, image.height - side - margin), logo(side))
    return marked


def brightness(image: Image.Image, factor: float) -> Image.Image:
    return ImageEnhance.Brightness(image).enhance(factor)


def contrast(image: Image.Image, factor: float) -> Image.Image:
    return ImageEnhance.Contrast(image).enhance(factor)


# Each alteration makes the candidate's JPEG from the original (at real size).
ALTERATIONS = {
    "crop_2_every_side": lambda i: jpeg(crop_every_side(i, 0.02)),
    "crop_5_every_side": lambda i: jpeg(crop_every_side(i, 0.05)),
    "crop_10_every_side": lambda i: jpeg(crop_every_side(i, 0.10)),
    "crop_10_one_side": lambda i: jpeg(crop_one_side(i, 0.10)),
    "rotate_1": lambda i: jpeg(rotate(i, 1)),
    "rotate_3": lambda i: jpeg(rotate(i, 3)),
    "rotate_5": lambda i: jpeg(rotate(i, -5)),
    "text_box_6": lambda i: jpeg(text_box(i, 0.06)),
    "text_box_8": lambda i: jpeg(text_box(i, 0.08)),
    "logo_corner_4": lambda i: jpeg(stamp_logo(i, 0.04)),
    "brightness_+30": lambda i: jpeg(brightness(i, 1.3)),
    "brightness_-30": lambda i: jpeg(brightness(i, 0.7)),
    "contrast_+30": lambda i: jpeg(contrast(i, 1.3)),
    "contrast_-30": lambda i: jpeg(contrast(i, 0.7)),
    "jpeg_30": lambda i: jpeg(i, 30),
    "jpeg_40": lambda i: jpeg(i, 40),
    "resize_33": lambda i: jpeg(i.resize((i.width // 3, i.height // 3), Image.Resampling.BILINEAR)),
    "crop_5_and_logo": lambda i: jpeg(stamp_logo(crop_every_side(i, 0.05))),
    "rotate_3_and_jpeg_40": lambda i: jpeg(rotate(i, 3), 40),
    "text_box_and_brightness_+30": lambda i: jpeg(brightness(text_box(i), 1.3)),
    "crop_10_one_side_and_rotate_2": lambda i: jpeg(rotate(crop_one_side(i, 0.1), 2)),
    "contrast_-30_and_jpeg_30": lambda i: jpeg(contrast(i, 0.7), 30),
}

# Hard negatives: documents and screenshots that share a layout, drawn from words at random.
WORDS = (
    "the of and to in is was for on that with as by at from this be are or an it which not have has had"
    " report account payment date total number customer reference order invoice delivery address city"
    " street message friend photo group channel today tomorrow meeting price amount balance transfer"
).split()


def _sentence(rng: random.Random, words: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(words)).capitalize()


def document(template: int, seed: int) -> Image.Image:
    """A letter of one of several layouts (its heading, labels and rules), with its own words."""
    rng = random.Random(seed)
    page = Image.new("RGB", (1240, 1754), "white")
    draw = ImageDraw.Draw(page)
    heading = ("INVOICE", "POLICE REPORT", "BANK STATEMENT", "DELIVERY NOTE")[template % 4]
    draw.rectangle((80, 80, 1160, 200), outline="black", width=3)
    draw.text((110, 110), heading, font=font(56), fill="black")
    draw.text((820, 120), "Ref. 2026/", font=font(32), fill="black")
    labels = ("Name:", "Address:", "Date:", "Reference:", "Amount:")
    for row, label in enumerate(labels):
        y = 260 + row * 60
        draw.text((100, y), label, font=font(30), fill="black")
        draw.text((340, y), _sentence(rng, 3), font=font(30), fill="black")
    draw.line((80, 600, 1160, 600), fill="black", width=2)
    for line in range(24):
        draw.text((100, 640 + line * 40), _sentence(rng, 9), font=font(26), fill="black")
    draw.line((80, 1640, 1160, 1640), fill="black", width=2)
    draw.text((100, 1660), "Page 1 of 1  -  example.invalid", font=font(24), fill="black")
    return page


def screenshot(template: int, seed: int, photo: Image.Image | None = None) -> Image.Image:
    """An application's window of one of two layouts (title bar, menu, toolbar), its content its own."""
    rng = random.Random(seed)
    screen = Image.new("RGB", (1280, 800), (245, 245, 245) if template % 2 else (30, 32, 36))
    draw = ImageDraw.Draw(screen)
    ink = (20, 20, 20) if template % 2 else (230, 230, 230)
    draw.rectangle((0, 0, 1280, 48), fill=(40, 90, 160) if template % 2 else (60, 60, 70))
    draw.text((16, 10), ("Messages - Example", "Gallery - Example")[template % 2], font=font(24), fill="white")
    for x in range(1140, 1280, 46):
        draw.rounded_rectangle((x, 10, x + 30, 38), radius=6, fill=(200, 200, 200))
    draw.rectangle((0, 48, 240, 800), fill=(225, 228, 232) if template % 2 else (44, 46, 52))
    for row, label in enumerate(("Inbox", "Sent", "Drafts", "Contacts", "Groups", "Settings", "Archive")):
        draw.text((24, 80 + row * 48), label, font=font(22), fill=ink)
    draw.rectangle((240, 48, 1280, 96), fill=(235, 235, 235) if template % 2 else (50, 52, 58))
    for x in range(260, 700, 70):
        draw.rounded_rectangle((x, 58, x + 54, 86), radius=8, fill=(120, 140, 170))
    if photo is not None:
        screen.paste(photo.resize((760, 600)), (380, 140))
    else:
        for row in range(14):
            y = 120 + row * 48
            draw.ellipse((264, y, 300, y + 36), fill=tuple(rng.randrange(60, 220) for _ in range(3)))
            draw.text((320, y), _sentence(rng, 2), font=font(20), fill=ink)
            draw.text((520, y + 6), _sentence(rng, 8), font=font(18), fill=ink)
    return screen


def flat(seed: int) -> Image.Image:
    """A plain colour, or a linear or radial gradient, with a little noise."""
    rng = np.random.default_rng(seed)
    height, width = 900, 1200
    a, b = rng.integers(0, 256, 3), rng.integers(0, 256, 3)
    kind = seed % 3
    if kind == 0:
        t = np.zeros((height, width))
    elif kind == 1:
        angle = rng.uniform(0, math.pi)
        y, x = np.mgrid[0:height, 0:width]
        t = (x * math.cos(angle) + y * math.sin(angle)) / (width + height)
        t = (t - t.min()) / (np.ptp(t) or 1)
    else:
        y, x = np.mgrid[0:height, 0:width]
        t = np.hypot(x - rng.uniform(0, width), y - rng.uniform(0, height)) / math.hypot(width, height)
    pixels = a + (b - a) * t[..., None] + rng.normal(0, 2, (height, width, 1))
    return Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8))


def texture(seed: int) -> Image.Image:
    """Noise at one of several grains, or stripes, each from its own seed."""
    rng = np.random.default_rng(seed)
    kind = seed % 3
    if kind == 0:
        cells = rng.integers(0, 256, (rng.integers(20, 120), rng.integers(20, 120)), dtype=np.uint8)
        image = Image.fromarray(cells).resize((1200, 900), Image.Resampling.BICUBIC)
    elif kind == 1:
        image = Image.fromarray(rng.integers(0, 256, (900, 1200), dtype=np.uint8))
    else:
        y, x = np.mgrid[0:900, 0:1200]
        period, angle = rng.uniform(8, 40), rng.uniform(0, math.pi)
        wave = np.sin((x * math.cos(angle) + y * math.sin(angle)) * 2 * math.pi / period)
        image = Image.fromarray(np.clip(128 + 100 * wave + rng.normal(0, 8, wave.shape), 0, 255).astype(np.uint8))
    return image.convert("RGB")


def hard_negatives() -> list[tuple[str, Image.Image]]:
    """Distinct images, no two of them the same picture, many alike: non-overlapping tiles of each
    photo, documents and screenshots of shared layouts, flat images, textures, synthetic drawings,
    and a share of them stamped with one channel's logo in the same corner."""
    from evidence.synthetic import synthetic_image

    found: list[tuple[str, Image.Image]] = []
    for number, name in enumerate(SKIMAGE_PHOTOS):
        photo = skimage_photo(name)
        grid = (3, 3) if max(photo.size) > 600 else (2, 2)
        for position, tile in enumerate(_tiles(photo, *grid)):
            found.append((f"tile {name}#{position}", _real_size(tile, 1000 + 10 * number + position, 1200)))
    found += [(f"document {t}/{s}", document(t, 100 * t + s)) for t in range(4) for s in range(10)]
    found += [(f"screenshot 0/{s}", screenshot(0, s)) for s in range(20)]
    # A gallery's windows showing drawings that are not in the set themselves.
    found += [(f"screenshot 1/{s}", screenshot(1, s, photo=synthetic_image(500 + s))) for s in range(20)]
    found += [(f"flat {s}", flat(s)) for s in range(20)]
    found += [(f"texture {s}", texture(s)) for s in range(20)]
    found += [(f"drawing {s}", synthetic_image(s, size=(1200, 900))) for s in range(30)]
    # The same logo on a third of the tiles and drawings: two different pictures with one mark.
    stamped = [number % 3 == 0 and name.startswith(("tile", "drawing")) for number, (name, _) in enumerate(found)]
    return [
        (f"{name} +logo", stamp_logo(image)) if stamp else (name, image)
        for stamp, (name, image) in zip(stamped, found, strict=True)
    ]


def upper_bound_95(failures: int, trials: int) -> float:
    """One-sided 95 % upper bound of a rate (Clopper-Pearson; 3/n, the rule of three, at 0)."""
    if failures == 0:
        return 1 - 0.05 ** (1 / trials)
    from scipy.stats import beta

    return float(beta.ppf(0.95, failures + 1, trials - failures))


def _timed(function, repeat: int) -> float:
    started = time.perf_counter()
    for _ in range(repeat):
        function()
    return (time.perf_counter() - started) / repeat


def bench_keypoint_verification(work: Path) -> dict:
    """Recall per alteration on the originals, false verifications among all pairs of the hard
    negatives, and the cost per candidate against the decode and perceptual digests of its JPEG."""
    from bench.run import figure
    from hashing.keypoints import Features, describe_stream, verify
    from hashing.perceptual import digest_image

    known = [(name, jpeg(image, 92)) for name, image in originals()]
    known_features = [describe_stream(io.BytesIO(content)) for _, content in known]
    found: dict[str, list[bool]] = {name: [] for name in ALTERATIONS}
    screens: list[bool] = []  # the documents' and screenshots' copies
    candidates = []
    for (name, content), features in zip(known, known_features, strict=True):
        image = Image.open(io.BytesIO(content)).convert("RGB")
        for alteration, alter in ALTERATIONS.items():
            altered = alter(image)
            candidates.append(altered)
            found[alteration].append(verify(features, describe_stream(io.BytesIO(altered))).verified)
            if name.startswith(("document", "screenshot")):
                screens.append(found[alteration][-1])
    results = {}
    overall = sum(map(sum, found.values())) / sum(map(len, found.values()))
    results["keypoints_recall"] = figure(
        overall, f"altered copies verified, {len(known)} originals x {len(ALTERATIONS)} alterations", 1.0, overall
    )
    results["keypoints_recall_documents_and_screenshots"] = figure(
        sum(screens) / len(screens), f"verified of {len(screens)} copies of 2 letters and 2 windows", 1.0,
        sum(screens) / len(screens),
    )  # fmt: skip
    for alteration, hits in found.items():
        results[f"keypoints_recall_{alteration}"] = figure(
            sum(hits) / len(hits), f"verified of {len(hits)}", 1.0, sum(hits) / len(hits)
        )
    negatives = hard_negatives()
    features = [describe_stream(io.BytesIO(jpeg(image))) for _, image in negatives]
    pairs = false = 0
    wrong = []
    # Each pair once, the first as the known image (verify looks both ways once the transform is fitted).
    for (a, first), (b, second) in itertools.combinations(zip(negatives, features, strict=True), 2):
        pairs += 1
        if verify(first, second).verified:
            false += 1
            wrong.append((a[0], b[0]))
    bound = upper_bound_95(false, pairs)
    results["keypoints_false_verifications"] = figure(
        false, f"of {pairs:,} pairs of {len(negatives)} distinct hard images (goal 0)", 0, false
    )
    results["keypoints_false_per_million_upper_95"] = figure(
        bound * 1e6, "false verifications per million pairs, 95 % upper bound", 0, bound * 1e6
    )
    # Cost per candidate: its decode and description plus one verification; the verification alone
    # (both sides' features at hand, the known side's read from its cached bytes); against the
    # decode and perceptual digests that every image gets at ingestion, on the same JPEGs.
    sample = candidates[:: max(len(candidates) // 60, 1)]
    cached = known_features[0].to_bytes()
    repeat = 3
    baseline = sum(_timed(lambda c=c: digest_image(io.BytesIO(c)), repeat) for c in sample) / len(sample)
    whole = sum(
        _timed(lambda c=c: verify(Features.from_bytes(cached), describe_stream(io.BytesIO(c))), repeat) for c in sample
    ) / len(sample)
    sides = [describe_stream(io.BytesIO(c)) for c in sample]
    alone = sum(_timed(lambda s=s: verify(Features.from_bytes(cached), s), repeat) for s in sides) / len(sides)
    results["keypoints_ms_per_candidate"] = figure(
        whole * 1e3, "ms: decode + describe the candidate + verify (known side cached)", baseline * 1e3,
        baseline / whole,
    )  # fmt: skip
    results["keypoints_verify_ms"] = figure(
        alone * 1e3, "ms: verify alone, both sides' features at hand", baseline * 1e3, baseline / alone
    )
    if wrong:
        print("false verifications:", wrong[:20])
    misses = [f"{name}: {a}" for i, (name, _) in enumerate(known) for a in ALTERATIONS if not found[a][i]]
    print(f"missed ({len(misses)}):", misses)
    return results


if __name__ == "__main__":
    import sys
    import tempfile

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    with tempfile.TemporaryDirectory() as folder:
        for key, value in bench_keypoint_verification(Path(folder)).items():
            print(key, value)
