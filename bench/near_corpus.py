"""The near-match corpus: altered copies of photos (recall) and over a million pairs of distinct,
hard, benign images (false positives), hashed by the product's own code (``digest_image``), and the
distances the product would see for each pair (issue 21). Plain Python, numpy and Pillow; the
rules are in ``bench.near_rules``, the images drawn in ``bench.near_images``.

Every image is drawn from a fixed seed out of scikit-image's bundled photos (no download) or
generated (gradients, text pages, screenshots, ``evidence.synthetic``): the same run gives the
same bytes. A list entry holds only the original's PDQ and pHash; a query asks with its variants.
"""

import hashlib
import io
import os
import random
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np
from PIL import Image

from bench import near_rules as rules
from bench.match import SKIMAGE_PHOTOS
from bench.near_images import SEED, TILED, _as_photo, _jpeg, _skimage, alterations, negative_image, negative_specs

CORPUS_VERSION = 5  # raise it when the images drawn here change: the cached digests are then rebuilt


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


# What each scikit-image picture is, for the recall by kind of picture: a rule's misses are not spread
# evenly, and a unit's seized pictures are mostly of the first kind (fixed by what the pictures are,
# not by how they fare).
PICTURE_KINDS = {
    "camera photos of scenes": ("astronaut", "camera", "chelsea", "coffee", "coins", "rocket", "motorcycle_left",
                                "clock_motion"),
    "scientific images (microscopy, fundus, sky)": ("retina", "ihc", "cell", "hubble_deep_field", "moon"),
    "textures": ("grass", "gravel", "brick"),
    "text (a scanned page, a photo of signs)": ("page", "text"),
}  # fmt: skip


def picture_kind(number: int) -> str:
    """The PICTURE_KINDS key of original ``number`` (a tile is of its photo's kind)."""
    photo = recall_sources()[number][1].split(".")[0]
    return next(kind for kind, photos in PICTURE_KINDS.items() if photo in photos)


def recall_original(number: int) -> Image.Image:
    _, name, box = recall_sources()[number]
    return _as_photo(_skimage(name).crop(box), random.Random(SEED * 1000 + number), 1200, 2000)


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
    from hashing.keypoints import describe_stream
    from hashing.perceptual import digest_image

    started = time.perf_counter()
    digest = digest_image(io.BytesIO(content))
    digest_ms = (time.perf_counter() - started) * 1000
    grey = _query_grey(content)  # the product would not decode again: not timed
    started = time.perf_counter()
    extra = _extra_from_grey(grey)
    extra_ms = (time.perf_counter() - started) * 1000
    started = time.perf_counter()
    view = describe_stream(io.BytesIO(content)).to_bytes()
    view_ms = (time.perf_counter() - started) * 1000
    return {
        "pdq": digest.pdq,
        "pdq_quality": digest.pdq_quality,
        "pdq_variants": digest.pdq_variants,
        "phash": digest.phash,
        "phash_variants": digest.phash_variants,
        "flat_share": digest.flat_share,
        "extra": extra,
        "thumbnail": digest.thumbnail,  # what a possible match is verified on (bench.near_verified)
        # and the look at the image read again (640 px), as evidence.triage.verification does first
        "view": view,
        "view_ms": view_ms,
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


def _overlap(a, b) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def features(recall: list[dict], negatives: list[dict]) -> dict[str, np.ndarray]:
    """The pairs' distances: each altered copy against its original's entry (recall); every image of the
    pool against every other one's entry, both ways (negatives); each altered copy against every other
    original's entry (cross negatives; an original cut from the same photo and overlapping it excluded)."""
    started = time.perf_counter()
    sources = recall_sources()
    originals = [record for record in recall if record["family"] == "original"]
    altered = [record for record in recall if record["family"] != "original"]
    entries = rules.hash_arrays(originals)
    queries = rules.hash_arrays(altered)
    owner = np.array([record["original"] for record in altered])
    own = rules.distances(queries, entries)
    out = {f"recall_{name}": values[np.arange(len(altered)), owner] for name, values in own.items()}
    out["recall_family"] = np.array([record["family"] for record in altered])
    out["recall_original"] = owner
    # The query's flat share (hashing.perceptual.flat_share) decides how much a near match asks.
    out["recall_flat"] = np.array([record["flat_share"] for record in altered], np.int16)
    related = np.array(
        [
            [sources[a][1] == sources[b][1] and _overlap(sources[a][2], sources[b][2]) for b in range(len(sources))]
            for a in range(len(sources))
        ]
    )
    cross = ~related[owner]  # (altered copy, original): a distinct image
    out.update({f"cross_{name}": values[cross] for name, values in own.items()})
    out["cross_original_q"], out["cross_original_e"] = owner[np.nonzero(cross)[0]], np.nonzero(cross)[1]
    out["cross_flat"] = out["recall_flat"][np.nonzero(cross)[0]]
    out["cross_related_excluded"] = np.array(int(related[owner].sum() - len(altered)))
    pool = rules.hash_arrays(negatives)
    both = rules.distances(pool, pool)
    upper = np.triu_indices(len(negatives), k=1)
    for name, values in both.items():
        out[f"negative_{name}"] = values[upper]  # query i, entry j (i < j)
        out[f"negative_{name}_back"] = values.T[upper]  # query j, entry i
    families = np.array([record["family"] for record in negatives])
    out["negative_family_i"], out["negative_family_j"] = families[upper[0]], families[upper[1]]
    flat = np.array([record["flat_share"] for record in negatives], np.int16)
    out["negative_flat"], out["negative_flat_back"] = flat[upper[0]], flat[upper[1]]  # the query's
    out["seconds"] = np.array(time.perf_counter() - started)
    return out


def load_features(cache_folder: Path) -> dict[str, np.ndarray]:
    """The features of the (cached) corpus, themselves cached as an npz next to its digests."""
    path = cache_folder / f"near-features-{corpus_key()}-{rules.SLOTS}.npz"
    if path.exists():
        with np.load(path) as stored:
            return dict(stored)
    recall, negatives = digest_corpus(cache_folder)
    data = features(recall, negatives)
    data["digest_ms"] = np.array([record["digest_ms"] for record in recall + negatives])
    data["extra_ms"] = np.array([record["extra_ms"] for record in recall + negatives])
    np.savez_compressed(path, **data)
    return data


def bench_near_robustness(work: Path) -> dict:
    """Recall per alteration family and false positives on over a million distinct-image pairs, for
    each hash alone, today's rule and the proposed strong and possible rules (``bench.near_rules``)."""
    from bench.run import ROOT, figure

    cache_folder = Path(os.environ.get("NEAR_CORPUS_CACHE", ROOT / "var" / "nearbench"))
    data = load_features(cache_folder)
    named = {
        "phash": (lambda p, h, f=None: h <= 10, "pdq", "phash_own"),
        "pdq": (lambda p, h, f=None: p <= 31, "pdq_own", "phash"),
        "today": (rules.rule_today, "pdq", "phash"),
        "strong": (rules.rule_strong, "pdq", "phash"),
        "possible": (rules.rule_possible, "pdq", "phash"),
        "possible_extra": (rules.rule_possible, "pdq", "phash_extra"),
    }
    overall = {
        name: float(rule(data[f"recall_{pdq}"], data[f"recall_{phash}"], data["recall_flat"]).mean())
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
        matched = rule(data[f"recall_{pdq}"], data[f"recall_{phash}"], data["recall_flat"])
        kinds = np.array([rules.group_of(family) for family in data["recall_family"]])
        groups[name] = {group: float(matched[kinds == group].mean()) for group in rules.GROUPS}
    for group in rules.GROUPS:
        others = ", ".join(f"{name} {groups[name][group]:.2f}" for name in named if name != "strong")
        results[f"near_recall_{group}"] = figure(
            groups["strong"][group], f"recall, strong rule ({others}); baseline: today's rule",
            groups["today"][group], groups["strong"][group] / groups["today"][group] if groups["today"][group] else 0,
        )  # fmt: skip
    results.update(_kind_figures(data, named))
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
    results.update(_calibration_figures(data))
    results.update(_verified_figures(data, cache_folder, overall["strong"]))
    digest_ms, extra_ms = float(np.median(data["digest_ms"])), float(np.median(data["extra_ms"]))
    results["near_query_variants_ms"] = figure(
        extra_ms, f"ms per image for the {len(EXTRA_VARIANTS)} extra query-side pHash variants; baseline: the"
        " product's digest_image (median)", digest_ms, extra_ms / digest_ms,
    )  # fmt: skip
    return results


def _kind_figures(data: dict, named: dict) -> dict:
    """Recall of the strong and the possible rules on the copies of each kind of picture."""
    from bench.run import figure

    kinds = np.array([picture_kind(number) for number in data["recall_original"]])
    results = {}
    for number, kind in enumerate(PICTURE_KINDS):
        mine = kinds == kind
        recall = {}
        for name in ("today", "strong", "possible"):
            rule, pdq, phash = named[name]
            recall[name] = float(rule(data[f"recall_{pdq}"], data[f"recall_{phash}"], data["recall_flat"])[mine].mean())
        originals = len(set(data["recall_original"][mine].tolist()))
        results[f"near_recall_kind_{number + 1}"] = figure(
            recall["strong"], f"recall of the strong rule on {kind}: {mine.sum()} copies of {originals} originals"
            f" (possible {recall['possible']:.3f}); baseline: today's rule", recall["today"],
            recall["strong"] / recall["today"] if recall["today"] else 0,
        )  # fmt: skip
    return results


def _calibration_figures(data: dict) -> dict:
    """The strong rule's held-out figures (``bench.near_calibration``): what it does on photos, copies
    and hard negatives it was not fitted on."""
    from bench.near_calibration import FIRST_MARGIN, cross_validate, full_fit, product_params
    from bench.run import figure

    held = cross_validate(data)
    first = cross_validate(data, FIRST_MARGIN)
    fitted, product = full_fit(data), product_params()
    recall = float(held["recall"].mean())
    repeats = ", ".join(f"{value:.3f}" for value in held["recall"])
    before = float((data["recall_pdq"] <= 31).mean())  # the strong rule before: PDQ <= 31, nothing fitted
    results = {
        "near_recall_strong_cv": figure(
            recall, f"held-out recall of the calibrated strong rule (5-fold grouped cross-validation, 3 shuffles:"
            f" {repeats}; with the first margins {first['recall'].mean():.3f}); baseline: the strong rule before"
            " (PDQ <= 31, not fitted)", before, recall / before if before else 0,
        ),
        "near_false_positives_strong_cv": figure(
            held["false"], f"held-out false matches of the calibrated strong rule, over {held['trials']:,} held-out"
            f" pair tests (each distinct pair with an image in the fold; 3 shuffles); with the first margins:"
            f" {first['false']}; baseline: the strong rule before (PDQ <= 31) on the same tests",
            held["baseline_false"], held["false"] / held["baseline_false"] if held["baseline_false"] else 0,
        ),
        "near_calibration_settings_match": figure(
            float(fitted == product), f"1 when the product's settings are the rule fitted on the whole corpus"
            f" ({fitted}; settings {product}); baseline 1", 1, float(fitted == product),
        ),
    }  # fmt: skip
    kinds = np.array([rules.group_of(family) for family in data["recall_family"]])
    found = held["found"].mean(axis=0)
    for group in rules.GROUPS:
        value = float(found[kinds == group].mean())
        base = float((data["recall_pdq"][kinds == group] <= 31).mean())
        results[f"near_recall_cv_{group}"] = figure(
            value, "held-out recall of the calibrated strong rule (cross-validated, mean of 3 shuffles); baseline:"
            " the strong rule before (PDQ <= 31)", base, value / base if base else 0,
        )  # fmt: skip
    return results


def _verified_figures(data: dict, cache_folder: Path, near_recall: float) -> dict:
    """The near level with the look at both images (``bench.near_verified``)."""
    from bench.near_verified import verified_level
    from bench.run import figure

    recall, negatives = digest_corpus(cache_folder)
    level = verified_level(data, recall, negatives)
    recall_verified = float(level["recall_verified"].mean())
    found, trials = level["false_verified"], level["trials"]
    upper = rules.clopper_pearson_upper(found, trials)
    verify_ms = float(np.median(level["verify_ms"])) if level["verify_ms"] else 0.0
    digest_ms = float(np.median(data["digest_ms"]))
    per_candidate = verify_ms + level["describe_ms"]
    results = {
        "near_recall_near_verified": figure(
            recall_verified, f"recall of the near level where the original is here (near by hashes, or a possible"
            f" match verified by a look at both images, read again at 640 px, else their thumbnails:"
            f" {level['recall_asked']} looked at; 640 px alone {level['recall_verified_view'].mean():.3f},"
            f" thumbnails alone {level['recall_verified_thumbnail'].mean():.3f}); baseline: near by hashes",
            near_recall, recall_verified / near_recall if near_recall else 0,
        ),
        "near_false_positives_near_verified": figure(
            found, f"false near matches among {trials:,} distinct-image pairs with the look ({level['false_near']} by"
            f" hashes; 640 px alone {level['false_verified_view']}, thumbnails alone"
            f" {level['false_verified_thumbnail']}; rate {found / trials:.2g}, 95 % upper bound {upper:.2g})",
            0, found,
        ),
        "near_verify_ms_per_candidate": figure(
            per_candidate, f"ms per possible match looked at at 640 px (decode and describe"
            f" {level['describe_ms']:.1f} ms + verify {verify_ms:.1f} ms, median of {len(level['verify_ms']):,});"
            " baseline: digest_image on the same corpus (median)", digest_ms, per_candidate / digest_ms,
        ),
    }  # fmt: skip
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
