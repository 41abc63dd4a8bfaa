"""Near-duplicate matching benchmarks: robustness of pHash, PDQ and their combination, and the
perceptual search index at list scale. Each returns {figure name: figure} (see bench/run.py)."""

import io
import os
import time
from pathlib import Path
from types import SimpleNamespace

import numpy as np
from PIL import Image, ImageDraw, ImageEnhance, ImageOps

# Photos bundled with scikit-image (no download): natural images of several kinds. The stereo pair's
# right half is left out (it is a near copy of the left one).
SKIMAGE_PHOTOS = (
    "astronaut.png",
    "camera.png",
    "chelsea.png",
    "coffee.png",
    "coins.png",
    "rocket.jpg",
    "motorcycle_left.png",
    "hubble_deep_field.jpg",
    "retina.jpg",
    "moon.png",
    "grass.png",
    "gravel.png",
    "brick.png",
    "page.png",
    "text.png",
    "ihc.png",
    "cell.png",
    "clock_motion.png",
)


# The pHash bound of near matches until issue 21 (pHash alone within 10 bits): issue 5's rule, measured
# here as it was; the product's rules now are measured by bench/near_corpus.py.
PHASH_BEFORE = 10


def _photos() -> tuple[str, list[Image.Image]]:
    try:
        import skimage
    except ImportError:
        from evidence.synthetic import synthetic_image

        return "synthetic", [synthetic_image(seed) for seed in range(1, 21)]
    folder = Path(skimage.__file__).parent / "data"
    return "scikit-image", [Image.open(folder / name).convert("RGB") for name in SKIMAGE_PHOTOS]


def _crop(image: Image.Image, share: float) -> Image.Image:
    width, height = image.size
    dx, dy = int(width * share / 2), int(height * share / 2)
    return image.crop((dx, dy, width - dx, height - dy))


def _watermark(image: Image.Image) -> Image.Image:
    marked = image.copy()
    draw = ImageDraw.Draw(marked)
    width, height = marked.size
    step = max(height // 6, 12)
    for y in range(height // 8, height, step):
        draw.text((width // 10, y), "shared via example.invalid  @user123", fill=(255, 255, 255))
    draw.text((4, height - 14), "(c) example channel", fill=(255, 255, 255))
    return marked


def _jpeg(image: Image.Image, quality: int = 90) -> bytes:
    out = io.BytesIO()
    image.convert("RGB").save(out, format="JPEG", quality=quality)
    return out.getvalue()


TRANSFORMATIONS = {
    "jpeg_q30": lambda image: _jpeg(image, 30),
    "resize_50": lambda image: _jpeg(image.resize((image.width // 2, image.height // 2))),
    "crop_5": lambda image: _jpeg(_crop(image, 0.05)),
    "border_10": lambda image: _jpeg(ImageOps.expand(image, border=int(max(image.size) * 0.1), fill=(0, 0, 0))),
    "mirror": lambda image: _jpeg(ImageOps.mirror(image)),
    "rotate_90": lambda image: _jpeg(image.rotate(90, expand=True)),
    "greyscale": lambda image: _jpeg(ImageOps.grayscale(image)),
    "brightness_30": lambda image: _jpeg(ImageEnhance.Brightness(image).enhance(1.3)),
    "watermark": lambda image: _jpeg(_watermark(image)),
}


def _distance(a: bytes, b: bytes) -> int:
    return (int.from_bytes(a, "big") ^ int.from_bytes(b, "big")).bit_count()


def bench_robustness(work: Path) -> dict:
    """Recall per transformation and false positives for pHash alone, PDQ alone and the product's rule."""
    from django.conf import settings

    from bench.run import figure
    from hashing.near_matching import perceptual_queries, usable_phash
    from hashing.perceptual import digest_image

    source, photos = _photos()
    entries = [digest_image(io.BytesIO(_jpeg(photo))) for photo in photos]  # the list: one entry per photo
    queries = []  # (photo number, transformation, digest): the originals as well, as distractors for the others
    for number, photo in enumerate(photos):
        queries.append((number, "original", entries[number]))
        for name, transform in TRANSFORMATIONS.items():
            queries.append((number, name, digest_image(io.BytesIO(transform(photo)))))
    pdq_radius, min_quality = settings.PDQ_MATCH_DISTANCE, settings.PDQ_MIN_QUALITY

    def pdq_alone(digest, entry) -> bool:
        return digest.pdq_quality >= min_quality and _distance(digest.pdq, entry.pdq) <= pdq_radius

    def phash_alone(digest, entry, radius) -> bool:
        return usable_phash(digest.phash) and _distance(digest.phash, entry.phash) <= radius

    def combined(digest, entry, radius) -> bool:
        asked = perceptual_queries(SimpleNamespace(**{k: getattr(digest, k) for k in _QUERY_FIELDS}))
        if entry.pdq_quality >= min_quality and any(_distance(q, entry.pdq) <= pdq_radius for q in asked["pdq"]):
            return True
        return any(_distance(q, entry.phash) <= radius for q in asked["phash"])

    def score(rule) -> tuple[dict[str, float], int]:
        hits: dict[str, list[bool]] = {name: [] for name in TRANSFORMATIONS}
        false_positives = 0
        for number, name, digest in queries:
            for other, entry in enumerate(entries):
                matched = rule(digest, entry)
                if other == number and name != "original":
                    hits[name].append(matched)
                elif other != number and matched:
                    false_positives += 1
        return {name: sum(values) / len(values) for name, values in hits.items()}, false_positives

    # The pHash threshold: the largest that gives no false positive, for pHash alone and combined.
    chosen = 0
    for radius in range(0, 17):
        if score(lambda d, e, r=radius: phash_alone(d, e, r))[1] or score(lambda d, e, r=radius: combined(d, e, r))[1]:
            break
        chosen = radius
    phash_radius = PHASH_BEFORE
    results: dict = {}
    rules = {
        "phash": lambda d, e: phash_alone(d, e, phash_radius),
        "pdq": pdq_alone,
        "combined": lambda d, e: combined(d, e, phash_radius),
    }
    scores = {name: score(rule) for name, rule in rules.items()}
    overall = {name: sum(recalls.values()) / len(recalls) for name, (recalls, _) in scores.items()}
    best_single = max(overall["phash"], overall["pdq"])
    note = f"{len(photos)} {source} photos, pHash <= {phash_radius}, PDQ <= {pdq_radius} (quality >= {min_quality})"
    results["robustness_recall_combined"] = figure(
        overall["combined"], f"recall over 9 transformations, {note}; baseline: best single hash", best_single,
        overall["combined"] / best_single if best_single else 0,
    )  # fmt: skip
    for name in ("phash", "pdq"):
        results[f"robustness_recall_{name}_alone"] = figure(
            overall[name], "recall over 9 transformations; baseline: the combination", overall["combined"],
            overall[name] / overall["combined"] if overall["combined"] else 0,
        )  # fmt: skip
    for transformation in TRANSFORMATIONS:
        values = {name: scores[name][0][transformation] for name in rules}
        single = max(values["phash"], values["pdq"])
        results[f"robustness_{transformation}_recall"] = figure(
            values["combined"],
            f"recall, combined (pHash {values['phash']:.2f}, PDQ {values['pdq']:.2f}); baseline: best single",
            single,
            values["combined"] / single if single else 0,
        )
    distractor_pairs = len(queries) * (len(entries) - 1)
    for name in rules:
        results[f"robustness_false_positives_{name}"] = figure(
            scores[name][1], f"false matches among {distractor_pairs:,} distractor pairs (goal 0)", 0, scores[name][1]
        )
    results["robustness_phash_threshold_without_false_positive"] = figure(
        chosen, "largest pHash distance (of 64) with no false positive here; baseline: the setting", phash_radius,
        chosen / phash_radius if phash_radius else 0,
    )  # fmt: skip
    return results


_QUERY_FIELDS = ("pdq", "pdq_quality", "pdq_variants", "phash", "phash_variants")


def _at_distance(codes: np.ndarray, rng, distances) -> np.ndarray:
    """Each code with exactly ``distances[i]`` of its bits flipped."""
    bits = np.unpackbits(codes, axis=1)
    for row, flips in zip(bits, distances, strict=True):
        row[rng.choice(bits.shape[1], int(flips), replace=False)] ^= 1
    return np.packbits(bits, axis=1)


def _families(count: int, rng, members: int = 10, most: int = 16) -> np.ndarray:
    """``count`` codes in families of near-duplicates: each within ``most`` bits of its family's centre."""
    centres = rng.integers(0, 256, size=(count // members + 1, 32), dtype=np.uint8)
    codes = np.repeat(centres, members, axis=0)[:count]
    rows = np.arange(count)
    flips = rng.integers(0, most + 1, count)
    for turn in range(most):
        chosen = rows[flips > turn]
        bit = rng.integers(0, 256, len(chosen))
        codes[chosen, bit // 8] ^= (1 << (bit % 8)).astype(np.uint8)
    return codes


def _truth(flat, queries: np.ndarray, radius: int) -> tuple[set, float]:
    started = time.perf_counter()
    limits, _distances, labels = flat.range_search(queries, radius + 1)
    rate = len(queries) / (time.perf_counter() - started)
    return {(q, int(labels[p])) for q in range(len(queries)) for p in range(limits[q], limits[q + 1])}, rate


def _recall(found: set, truth: set) -> float:
    return len(found & truth) / len(truth) if truth else 1.0


def bench_perceptual_search(work: Path) -> dict:
    """10 million PDQ entries, random and in families of near-duplicates; 10,000 queries at radius 31, one
    thread: half planted at a distance spread evenly over 0..31 bits of an entry (so 31 itself is tested),
    half random. The product's index against brute force (faiss flat scan) and faiss's hash indexes."""
    import faiss

    from bench.run import figure
    from hashing.nearest import HammingIndex

    entries = int(os.environ.get("BENCH_PERCEPTUAL_ENTRIES", "10000000"))
    alternatives = os.environ.get("BENCH_PERCEPTUAL_ALTERNATIVES", "1") != "0"
    count, radius, checked = 10_000, 31, 1_000
    rng = np.random.default_rng(17)
    results: dict = {}
    for kind in ("random", "clustered"):
        codes = (
            rng.integers(0, 256, size=(entries, 32), dtype=np.uint8) if kind == "random" else _families(entries, rng)
        )
        planted_rows = rng.integers(0, entries, count // 2)
        planted_distances = np.arange(count // 2) % (radius + 1)
        queries = np.vstack(
            [
                _at_distance(codes[planted_rows], rng, planted_distances),
                rng.integers(0, 256, size=(count - count // 2, 32), dtype=np.uint8),
            ]
        )
        started = time.perf_counter()
        index = HammingIndex.build(codes, radius=radius)
        build = time.perf_counter() - started
        started = time.perf_counter()
        found = index.search(queries, radius)
        rate = count / (time.perf_counter() - started)
        pairs = {(q, e) for q, e, _ in found}
        planted = {(q, int(planted_rows[q])) for q in range(count // 2)}
        at_radius = {(q, e) for q, e in planted if planted_distances[q] == radius}
        # Brute force on a subset (it is slow): half planted, half random queries.
        rows = np.r_[0 : checked // 2, count // 2 : count // 2 + checked // 2]
        flat = faiss.IndexBinaryFlat(256)
        flat.add(codes)
        truth, brute = _truth(flat, queries[rows], radius)
        number_of = {int(row): number for number, row in enumerate(rows)}
        subset = {(number_of[q], e) for q, e in pairs if q in number_of}
        recall = _recall(subset, truth)
        name = "perceptual_search" if kind == "random" else "perceptual_search_clustered"
        shape = (
            "random PDQ entries"
            if kind == "random"
            else "PDQ entries in families of 10 near-duplicates (each within 16 bits of its centre)"
        )
        structure = getattr(index.index, "widths", None)
        described = f"{len(structure)} tables of {min(structure)}-{max(structure)} bits" if structure else "flat"
        results[f"{name}_queries_per_s"] = figure(
            rate, f"queries/s, {entries:,} {shape}, radius {radius}, 1 thread, multi-index hashing ({described},"
            f" build {build:.0f} s, exact); baseline: brute force (faiss flat scan)", brute, rate / brute,
        )  # fmt: skip
        results[f"{name}_recall"] = figure(
            recall, f"recall against brute force on {len(rows)} of the queries ({len(truth)} true pairs), same run",
            1.0, recall,
        )  # fmt: skip
        results[f"{name}_recall_at_31"] = figure(
            _recall(pairs, at_radius), f"recall of the {len(at_radius)} planted pairs at exactly {radius} bits"
            f" ({_recall(pairs, planted):.4f} over all {len(planted):,} planted at 0..{radius})", 1.0,
            _recall(pairs, at_radius),
        )  # fmt: skip
        del index
        if kind == "random":
            results.update(_looser_search("pdq", codes, queries, rate, radius))
        if alternatives:
            # Every other query of the subset: as many planted as random ones.
            kept = {(number // 2, e) for number, e in truth if number % 2 == 0}
            results.update(_faiss_alternatives(name, codes, queries[rows[::2]], kept, radius, rate))
        del flat, codes
    results.update(_phash_search(entries, count, checked, rng))
    return results


def _phash_search(entries: int, count: int, checked: int, rng) -> dict:
    """The same for pHash (64 bits) at its threshold, planted pairs spread over 0..radius bits."""
    import faiss

    from bench.run import figure
    from hashing.nearest import HammingIndex

    radius = PHASH_BEFORE  # the pHash bound of near matches before issue 21: the baseline
    codes = rng.integers(0, 256, size=(entries, 8), dtype=np.uint8)
    rows = rng.integers(0, entries, count // 2)
    queries = np.vstack(
        [
            _at_distance(codes[rows], rng, np.arange(count // 2) % (radius + 1)),
            rng.integers(0, 256, size=(count - count // 2, 8), dtype=np.uint8),
        ]
    )
    index = HammingIndex.build(codes, radius=radius)
    started = time.perf_counter()
    found = index.search(queries, radius)
    rate = count / (time.perf_counter() - started)
    widths = getattr(index.index, "widths", None)
    del index
    looser = _looser_search("phash", codes, queries, rate, radius)
    subset = np.r_[0 : checked // 2, count // 2 : count // 2 + checked // 2]
    flat = faiss.IndexBinaryFlat(64)
    flat.add(codes)
    truth, brute = _truth(flat, queries[subset], radius)
    number_of = {int(row): number for number, row in enumerate(subset)}
    recall = _recall({(number_of[q], e) for q, e, _ in found if q in number_of}, truth)
    planted = _recall({(q, e) for q, e, _ in found}, {(q, int(rows[q])) for q in range(count // 2)})
    described = f"{len(widths)} tables of {min(widths)}-{max(widths)} bits" if widths else "flat"
    return looser | {
        "perceptual_search_phash_queries_per_s": figure(
            rate, f"queries/s, {entries:,} random pHash entries, radius {radius}, 1 thread, multi-index hashing"
            f" ({described}, exact; recall {recall:.4f} against brute force on {len(subset)} queries, {len(truth)}"
            f" true pairs; {planted:.4f} of the planted pairs at 0..{radius}); baseline: brute force", brute,
            rate / brute,
        ),
    }  # fmt: skip


def _looser_search(algorithm: str, codes, queries, rate: float, radius: int) -> dict:
    """The same entries and queries searched at the radius the product searches now (its possible
    matches: ``hashing.indexes.search_radius``), the index planned for it; baseline: ``rate`` at
    ``radius``, the near-match bound alone (issue 21: within 2x, a ratio of at least 0.5)."""
    from bench.run import figure
    from hashing.indexes import search_radius
    from hashing.nearest import HammingIndex

    looser = search_radius()[algorithm]
    index = HammingIndex.build(codes, radius=looser)
    started = time.perf_counter()
    index.search(queries, looser)
    looser_rate = len(queries) / (time.perf_counter() - started)
    return {
        f"perceptual_search_{algorithm}_possible_queries_per_s": figure(
            looser_rate, f"queries/s, {len(codes):,} random {algorithm} entries, radius {looser} (the search"
            f" of possible matches), 1 thread, exact: {1000 / looser_rate:.2f} ms a query; baseline: the same"
            f" at radius {radius}", rate, looser_rate / rate,
        ),
    }  # fmt: skip


def _faiss_alternatives(name: str, codes, queries, truth: set, radius: int, product_rate: float) -> dict:
    """faiss's own hash indexes on the same entries and queries: speed and recall against brute force."""
    import faiss

    from bench.run import figure

    results = {}
    for label, make, nflip in (
        ("faiss_multihash_16x16_nflip0", lambda: faiss.IndexBinaryMultiHash(256, 16, 16), 0),
        ("faiss_multihash_16x16_nflip1", lambda: faiss.IndexBinaryMultiHash(256, 16, 16), 1),
        ("faiss_hash_24_nflip2", lambda: faiss.IndexBinaryHash(256, 24), 2),
    ):
        index = make()
        index.add(codes)
        index.nflip = nflip
        started = time.perf_counter()
        limits, _distances, labels = index.range_search(queries, radius + 1)
        rate = len(queries) / (time.perf_counter() - started)
        found = {(q, int(labels[p])) for q in range(len(queries)) for p in range(limits[q], limits[q + 1])}
        recall = _recall(found, truth)
        results[f"{name}_{label}_queries_per_s"] = figure(
            rate, f"queries/s, recall {recall:.4f} against brute force ({len(queries)} queries, {len(truth)} true"
            " pairs); baseline: the product's index, same entries", product_rate, rate / product_rate,
        )  # fmt: skip
        del index
    return results


def _old_related_near(user, evidence_file, radius: int) -> dict[int, int]:
    """The brute force the file page used before the file index (the baseline): every PDQ of the
    user's dossiers read from the database and compared with the file's queries."""
    from cases.models import Membership
    from evidence.models import EvidenceFile
    from hashing.near_matching import perceptual_queries
    from hashing.nearest import as_codes, brute_force

    dossiers = Membership.objects.filter(user=user, role__in=Membership.WRITE_ROLES).values("dossier")
    others = EvidenceFile.objects.filter(exhibit__dossier__in=dossiers).exclude(pk=evidence_file.pk)
    queries = perceptual_queries(evidence_file)["pdq"]
    rows = list(others.filter(pdq__isnull=False, pdq_quality__gte=50).values_list("pk", "pdq"))
    distances: dict[int, int] = {}
    for _, row, distance in brute_force(as_codes([pdq for _, pdq in rows], 256), as_codes(queries, 256), radius):
        distances[rows[row][0]] = min(distance, distances.get(rows[row][0], distance))
    return distances


def bench_related_files(work: Path) -> dict:
    """A file's page: its near copies among a dossier of BENCH_RELATED_FILES files with random PDQ (each
    page's file has 3 planted copies within 31 bits), through the installation's file index, against
    the brute force over the dossier's PDQs that the page used before, same run."""
    from django.conf import settings
    from django.db import connection
    from django.utils import timezone

    from bench.run import figure
    from evidence.models import EvidenceFile, IngestBatch, IngestJob
    from evidence.triage import file_index
    from evidence.triage.selectors import related_files_visible_to
    from tests.factories import make_dossier, make_exhibit, make_user

    settings.DERIVED_ROOT = work / "derived"
    count, pages, radius = int(os.environ.get("BENCH_RELATED_FILES", "500000")), 10, settings.PDQ_MATCH_DISTANCE
    user = make_user("related-bench", "investigator")
    dossier = make_dossier(user, notice_number="BR.52.L1.999998/26")
    exhibit = make_exhibit(dossier, "REL-1")
    rng = np.random.default_rng(23)
    codes = rng.integers(0, 256, size=(count, 32), dtype=np.uint8)
    for page in range(pages):  # rows 0..9 are the pages' files, each with 3 near copies after them
        copies = _at_distance(np.repeat(codes[page : page + 1], 3, axis=0), rng, [5, 18, 31])
        codes[pages + 3 * page : pages + 3 * page + 3] = copies
    job = IngestJob.objects.create(exhibit=exhibit, source_label="bench", created_by=user, status="done")
    batch = IngestBatch.objects.create(job=job, number=1, status="done")
    table = EvidenceFile._meta.db_table
    fields = [f for f in EvidenceFile._meta.concrete_fields if not f.primary_key]
    template = EvidenceFile()
    fixed = {f.attname: f.get_db_prep_save(getattr(template, f.attname), connection) for f in fields}
    fixed.update(
        exhibit_id=exhibit.pk, job_id=job.pk, batch_id=batch.pk, processed_at=timezone.now(), mime="image/jpeg",
        triage="new_image", pdq_quality=100, size=1000,
    )  # fmt: skip
    started = time.perf_counter()
    with connection.cursor() as cursor:
        with cursor.copy(f"COPY {table} ({', '.join(f.column for f in fields)}) FROM STDIN") as copy:
            for number, code in enumerate(codes):
                row = fixed | {"path": f"REL-1/{number:07d}.jpg", "pdq": code.tobytes()}
                copy.write_row([row[f.attname] for f in fields])
        cursor.execute(f"ANALYZE {table}")
    print(f"  {count} files written with COPY in {time.perf_counter() - started:.0f} s", flush=True)
    files = list(EvidenceFile.objects.filter(exhibit=exhibit).order_by("pk")[:pages])
    started = time.perf_counter()
    file_index.file_index_build()
    build = time.perf_counter() - started
    file_index._state.clear()
    related_files_visible_to(user, files[0])  # loads the base in this process
    started = time.perf_counter()
    found = [len(related_files_visible_to(user, evidence_file)) for evidence_file in files]
    indexed = pages / (time.perf_counter() - started)
    started = time.perf_counter()
    brute = [len(_old_related_near(user, evidence_file, radius)) for evidence_file in files]
    baseline = pages / (time.perf_counter() - started)
    same = "the same copies" if found == brute else f"DIFFERENT copies ({found} against {brute})"
    return {
        "related_files_pages_per_s": figure(
            indexed, f"file pages' near copies per s, {count:,} files in the dossier, through the file index"
            f" (base built in {build:.0f} s; {same} as brute force); baseline: brute force over the dossier's"
            " PDQs, same run", baseline, indexed / baseline,
        ),
    }  # fmt: skip
