"""Near-match rules measured on the corpus of ``bench.near_corpus`` (issue 21): the distances the
product sees for each (query, list entry) pair, recall per alteration, false positives on over a
million pairs of distinct images, and the bench's figures.

A list entry holds only its original's PDQ and pHash. A query asks with its own and its variants
(``perceptual_queries``: PDQ's 7 rotations and mirrors, both hashes of the image without a uniform
border). A distance is ``NONE`` where the product would not compare (a PDQ of quality < 50, on
either side; a pHash of a flat query, ``usable_phash``).
"""

from pathlib import Path
from types import SimpleNamespace

import numpy as np

from hashing.perceptual import UNDO_CORNER_SIDES, UNDO_CROP_EVERY_SIDE, UNDO_CROP_ONE_SIDE, UNDO_TILT_DEGREES

NONE = 999
# A query's hashes: 8 dihedral, 8 border-trimmed, and those with a crop, a tilt or an overlay undone
# (each crop share on every side, on each of four sides, each tilt twice, the overlays painted over once,
# PDQ alone: each corner painted over at each side).
SLOTS = 8 + 8 + len(UNDO_CROP_EVERY_SIDE) + 4 * len(UNDO_CROP_ONE_SIDE) + 2 * len(UNDO_TILT_DEGREES) + 1
SLOTS += 4 * len(UNDO_CORNER_SIDES)

# The rules: each takes the distances (uint16 arrays, NONE where not compared) and says which pairs match.
# "today" is the product's (settings PDQ_MATCH_DISTANCE 31, PHASH_MATCH_DISTANCE 10). The proposed
# strong and possible rules were read off this corpus (/work/notes/nearbench.md): pHash alone, even at
# 2-10 bits, matches distinct documents, screenshots, flat images and low-detail photos, and so does any
# joint region past PDQ 31 (screens of one form at PDQ 24-45): only PDQ <= 31 stays strong.
STRONG_PDQ = 31
POSSIBLE_PHASH = 10
POSSIBLE_JOINT = (90, 16)  # PDQ <= 90 and pHash <= 16: the first proposal, kept as a reference


def rule_today(pdq, phash, flat=None):
    """The rule before issue 21: PDQ <= 31 or pHash <= 10 (on any query variant)."""
    return (pdq <= 31) | (phash <= 10)


def _within(pdq, phash, pdq_bound, phash_bound, joint):
    return (pdq <= pdq_bound) | (phash <= phash_bound) | ((pdq <= joint[0]) & (phash <= joint[1]))


def rule_strong(pdq, phash, flat=None):
    """The product's near match by hashes (``hashing.near_matching.near_by_hashes``, its settings),
    for queries of these flat shares (per mille; None: not known)."""
    from hashing.near_matching import UNMEASURED, near_by_hashes

    return near_by_hashes(pdq, phash, UNMEASURED if flat is None else flat)


def rule_possible(pdq, phash, flat=None):
    """The product's near or possible match by hashes (at least possible)."""
    from django.conf import settings

    possible = _within(
        pdq, phash, settings.POSSIBLE_PDQ_DISTANCE, settings.POSSIBLE_PHASH_DISTANCE, settings.POSSIBLE_JOINT_DISTANCES
    )
    return rule_strong(pdq, phash, flat) | possible


def rule_reference(pdq, phash, flat=None):
    """The first proposal read off this corpus (PDQ <= 31, pHash <= 10, or PDQ <= 90 and pHash <= 16)."""
    joint_pdq, joint_phash = POSSIBLE_JOINT
    return (pdq <= STRONG_PDQ) | (phash <= POSSIBLE_PHASH) | ((pdq <= joint_pdq) & (phash <= joint_phash))


def _words(blob: bytes, width: int) -> np.ndarray:
    """Hashes of ``width`` bytes as rows of big-endian 64-bit words."""
    return np.frombuffer(blob, dtype=">u8").astype(np.uint64).reshape(-1, width // 8)


def _slots(hashes: list[bytes], width: int) -> np.ndarray:
    """A query's hashes in SLOTS rows (the first repeated in the empty ones: the minimum is unchanged)."""
    rows = _words(b"".join(hashes), width)
    assert len(rows) <= SLOTS + 6, f"{len(rows)} hashes: SLOTS would leave some out"
    return np.concatenate([rows, np.repeat(rows[:1], max(0, SLOTS + 6 - len(rows)), axis=0)])[: SLOTS + 6]


def hash_arrays(records: list[dict]) -> dict[str, np.ndarray]:
    """Per image: its query rows (with and without variants, and with the extra pHash variants of
    ``near_corpus.EXTRA_VARIANTS``) and its entry (the image's own PDQ and pHash)."""
    from django.conf import settings

    from hashing.near_matching import perceptual_queries

    fields = ("pdq", "pdq_quality", "pdq_variants", "phash", "phash_variants")
    count = len(records)
    out = {
        "q_pdq": np.zeros((count, SLOTS + 6, 4), np.uint64),
        "q_pdq_ok": np.zeros(count, bool),
        "q_phash": np.zeros((count, SLOTS + 6, 1), np.uint64),
        "q_phash_extra": np.zeros((count, SLOTS + 6, 1), np.uint64),
        "q_phash_ok": np.zeros(count, bool),
        "e_pdq": np.stack([_words(record["pdq"], 32)[0] for record in records]),
        "e_pdq_ok": np.array([record["pdq_quality"] >= settings.PDQ_MIN_QUALITY for record in records]),
        "e_phash": np.stack([_words(record["phash"], 8)[0] for record in records]),
    }
    for number, record in enumerate(records):
        asked = perceptual_queries(SimpleNamespace(**{field: record[field] for field in fields}))
        if asked["pdq"]:
            out["q_pdq"][number] = _slots(asked["pdq"], 32)
            out["q_pdq_ok"][number] = True
        if asked["phash"]:
            out["q_phash"][number] = _slots(asked["phash"], 8)
            extra = [record["extra"][start : start + 8] for start in range(0, len(record["extra"]), 8)]
            out["q_phash_extra"][number] = _slots(asked["phash"] + extra, 8)
            out["q_phash_ok"][number] = True
    return out


def _min_distance(queries: np.ndarray, entries: np.ndarray, slots: int) -> np.ndarray:
    """(queries, entries) minimum Hamming distance over each query's first ``slots`` rows."""
    out = np.empty((len(queries), len(entries)), np.uint16)
    step = max(1, 4_000_000 // (slots * len(entries) * entries.shape[1]))
    for start in range(0, len(queries), step):
        block = queries[start : start + step, :slots, None, :] ^ entries[None, None, :, :]
        out[start : start + step] = np.bitwise_count(block).sum(axis=-1, dtype=np.uint16).min(axis=1)
    return out


def distances(queries: dict, entries: dict, rows=None, columns=None) -> dict[str, np.ndarray]:
    """The five distances of every (query, entry) pair: PDQ and pHash with the query's variants, and
    without (the query's own hash only), and pHash with the extra query-side variants."""
    q = {name: value[rows] if rows is not None else value for name, value in queries.items() if name.startswith("q_")}
    e = {
        name: value[columns] if columns is not None else value
        for name, value in entries.items()
        if name.startswith("e_")
    }
    pdq_ok = q["q_pdq_ok"][:, None] & e["e_pdq_ok"][None, :]
    phash_ok = np.repeat(q["q_phash_ok"][:, None], len(e["e_phash"]), axis=1)
    out = {}
    for name, key, slots, entry, ok in (
        ("pdq", "q_pdq", SLOTS, e["e_pdq"], pdq_ok),
        ("pdq_own", "q_pdq", 1, e["e_pdq"], pdq_ok),
        ("phash", "q_phash", SLOTS, e["e_phash"], phash_ok),
        ("phash_own", "q_phash", 1, e["e_phash"], phash_ok),
        ("phash_extra", "q_phash_extra", SLOTS + 6, e["e_phash"], phash_ok),
    ):
        out[name] = np.where(ok, _min_distance(q[key], entry, slots), NONE).astype(np.uint16)
    return out


def clopper_pearson_upper(found: int, trials: int, confidence: float = 0.95) -> float:
    """One-sided upper bound of a rate seen ``found`` times in ``trials`` (about 3 / trials for 0)."""
    from scipy.stats import beta

    return 1.0 if found >= trials else float(beta.ppf(confidence, found + 1, trials - found))


def false_positives(data: dict, rule, phash_name: str = "phash") -> dict:
    """A rule's false matches on the negatives: distinct pool pairs matched either way, and cross pairs."""
    pool = rule(data["negative_pdq"], data[f"negative_{phash_name}"], data["negative_flat"]) | rule(
        data["negative_pdq_back"], data[f"negative_{phash_name}_back"], data["negative_flat_back"]
    )
    cross = rule(data["cross_pdq"], data[f"cross_{phash_name}"], data["cross_flat"])
    found, trials = int(pool.sum() + cross.sum()), len(pool) + len(cross)
    upper = clopper_pearson_upper(found, trials)
    return {"found": found, "pool": int(pool.sum()), "cross": int(cross.sum()), "trials": trials, "upper": upper}


def recall_by_family(data: dict, rule, pdq_name: str = "pdq", phash_name: str = "phash") -> dict[str, float]:
    matched = rule(data[f"recall_{pdq_name}"], data[f"recall_{phash_name}"], data["recall_flat"])
    families = data["recall_family"]
    return {family: float(matched[families == family].mean()) for family in dict.fromkeys(families)}


GROUPS = (
    "crop_all_2", "crop_all_5", "crop_all_8", "crop_all_10", "crop_side", "rotate_1", "rotate_2", "rotate_3",
    "rotate_4", "rotate_5", "overlay_box", "overlay_text", "overlay_logo", "brightness", "contrast", "jpeg",
    "resize_50", "mirror", "greyscale", "border_10", "combo",
)  # fmt: skip


def group_of(family: str) -> str:
    return next(group for group in GROUPS if family == group or family.startswith(group + "_"))


def recall_by_group(data: dict, rule, phash_name: str = "phash") -> dict[str, float]:
    matched = rule(data["recall_pdq"], data[f"recall_{phash_name}"], data["recall_flat"])
    groups = np.array([group_of(family) for family in data["recall_family"]])
    return {group: float(matched[groups == group].mean()) for group in GROUPS}


# --- Exploration (the tables of /work/notes/nearbench.md): python -m bench.near_rules -----------------


def _stats(values: np.ndarray, none_as: int) -> str:
    clipped = np.where(values == NONE, none_as, values)
    missing = int((values == NONE).sum())
    text = f"{np.median(clipped):.0f} / {np.percentile(clipped, 90):.0f} / {clipped.max()}"
    return text + (f" ({missing} none)" if missing else "")


def _negative_sets(data: dict) -> dict[str, tuple[np.ndarray, ...]]:
    """(pdq, phash, phash_extra, the query's flat share) of the ordered negative comparisons, per set:
    within each family, across families, and the altered copies against the other originals."""
    fi, fj = data["negative_family_i"], data["negative_family_j"]
    sets = {}
    names = ("pdq", "phash", "phash_extra", "flat")

    def both(mask):
        return tuple(np.concatenate([data[f"negative_{n}"][mask], data[f"negative_{n}_back"][mask]]) for n in names)

    for family in dict.fromkeys(fi):
        sets[f"within {family}"] = both((fi == family) & (fj == family))
    sets["across families"] = both(fi != fj)
    sets["copies x other originals"] = tuple(data[f"cross_{n}"] for n in names)
    sets["all"] = tuple(np.concatenate([values[k] for values in sets.values()]) for k in range(4))
    return sets


def explore(data: dict) -> str:
    lines = ["## Altered copies: distances to their original's entry (median / 90th pct / max)", ""]
    rules = {"pHash": lambda p, h, f=None: h <= 10, "PDQ": lambda p, h, f=None: p <= 31, "today": rule_today}
    rules |= {"strong": rule_strong, "possible": rule_possible}
    lines += ["| family | n | d_pdq | d_phash | d_phash +extra | " + " | ".join(rules) + " | possible +extra |"]
    lines += ["|---|---:|---|---|---|" + "---:|" * (len(rules) + 1)]
    families = data["recall_family"]
    recalls = {name: recall_by_family(data, rule) for name, rule in rules.items()}
    recalls["pHash"] = recall_by_family(data, rules["pHash"], "pdq", "phash_own")
    recalls["PDQ"] = recall_by_family(data, rules["PDQ"], "pdq_own")
    extra = recall_by_family(data, rule_possible, phash_name="phash_extra")
    for family in dict.fromkeys(families):
        mask = families == family
        cells = [
            _stats(data[f"recall_{name}"][mask], 256 if name == "pdq" else 64)
            for name in ("pdq", "phash", "phash_extra")
        ]
        cells += [f"{recalls[name][family]:.2f}" for name in rules] + [f"{extra[family]:.2f}"]
        lines.append(f"| {family} | {mask.sum()} | " + " | ".join(cells) + " |")
    for name, rule in rules.items():
        pdq_name = "pdq_own" if name == "PDQ" else "pdq"
        phash_name = "phash_own" if name == "pHash" else "phash"
        overall = rule(data[f"recall_{pdq_name}"], data[f"recall_{phash_name}"], data["recall_flat"]).mean()
        lines.append(f"| **all ({name})** | {len(families)} | | | | {overall:.3f} |")
    sets = _negative_sets(data)
    lines += ["", "## Negatives: ordered (query, entry) comparisons", ""]
    columns = (
        "comparisons",
        "min d_pdq",
        "min d_phash",
        "min d_phash +extra",
        "pdq<=31",
        "phash<=10",
        "min pdq/64+phash/16",
    )
    lines += ["| set | " + " | ".join(columns) + " |", "|---|" + "---:|" * len(columns)]
    for name, (pdq, phash, phash_extra, _) in sets.items():
        both = (pdq != NONE) & (phash != NONE)
        score = (pdq[both] / 64 + phash[both] / 16).min() if both.any() else float("nan")
        lowest = pdq.min() if (pdq != NONE).any() else "-"
        cells = [f"{len(pdq):,}", lowest, phash.min(), phash_extra.min(), (pdq <= 31).sum(), (phash <= 10).sum()]
        lines.append(f"| {name} | " + " | ".join(map(str, cells)) + f" | {score:.3f} |")
    lines += ["", "## False matches per set (ordered comparisons) of each rule", ""]
    lines += ["| set | " + " | ".join(rules) + " | possible +extra |", "|---|" + "---:|" * (len(rules) + 1)]
    for name, (pdq, phash, phash_extra, flat) in sets.items():
        cells = [str(int(rule(pdq, phash, flat).sum())) for rule in rules.values()]
        cells.append(str(int(rule_possible(pdq, phash_extra, flat).sum())))
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    lines += ["", "## Lowest d_pdq among negatives with d_phash <= Y (per set; '-' none)", ""]
    ys = list(range(10, 25))
    lines += ["| set | " + " | ".join(f"Y={y}" for y in ys) + " |", "|---|" + "---:|" * len(ys)]
    for name, (pdq, phash, _, _) in sets.items():
        cells = []
        for y in ys:
            chosen = pdq[(phash <= y) & (pdq != NONE)]
            cells.append(str(chosen.min()) if len(chosen) else "-")
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    pdq, phash, phash_extra, _ = sets["all"]
    for title, values in (("d_phash", phash), ("d_phash with the extra query variants", phash_extra)):
        lines += ["", f"## All negatives: comparisons with d_pdq <= X and {title} <= Y", ""]
        lines += ["| X \\ Y | " + " | ".join(str(y) for y in ys) + " |", "|---|" + "---:|" * len(ys)]
        grid = np.zeros((257, 65), np.int64)
        keep = (pdq != NONE) & (values != NONE)
        np.add.at(grid, (pdq[keep], values[keep]), 1)
        grid = grid.cumsum(0).cumsum(1)
        for x in range(31, 102, 5):
            lines.append(f"| {x} | " + " | ".join(str(grid[x, y]) for y in ys) + " |")
    return "\n".join(lines)


if __name__ == "__main__":
    import django

    import bench.run  # noqa: F401 - the settings' environment

    django.setup()
    from bench.near_corpus import load_features

    root = Path(__file__).resolve().parent.parent
    print(explore(load_features(root / "var" / "nearbench")))
