"""The near level as the product decides it: near by hashes, or a possible match that a look at both
images verifies (``hashing.keypoints``, as ``evidence.triage.verification`` does where the image a
file may be a copy of is here: on both images read again, described at 640 px, and where that does
not verify, on their thumbnails). Measured on the corpus of ``bench.near_corpus``: recall on the
altered copies whose original is "here", and false near matches among the same 1.4 million
distinct-image pairs (each pair the hashes call possible is looked at), for each look alone and for
the two as the product uses them.
"""

import io
import time

import numpy as np

from bench import near_rules as rules

LOOKS = ("view", "thumbnail")


def _described(records: list[dict], look: str) -> list:
    from hashing.keypoints import Features, describe_stream

    if look == "view":  # described from the image's own bytes when the corpus was hashed
        return [Features.from_bytes(record["view"]) for record in records]
    return [describe_stream(io.BytesIO(record["thumbnail"])) for record in records]


def _looked_at(pairs, queries: list, entries: list) -> tuple[np.ndarray, list[float]]:
    """For each (query, entry) position pair: whether the entry's image verifies the query's; the
    milliseconds of each check."""
    from hashing.keypoints import verify

    verified, spent = np.zeros(len(pairs), bool), []
    for number, (query, entry) in enumerate(pairs):
        started = time.perf_counter()
        verified[number] = verify(entries[entry], queries[query]).verified
        spent.append((time.perf_counter() - started) * 1000)
    return verified, spent


def verified_level(data: dict, recall: list[dict], negatives: list[dict]) -> dict:
    """Recall and false matches of the near level with the look (see the module)."""
    from bench.near_corpus import recall_sources

    originals = [record for record in recall if record["family"] == "original"]
    altered = [record for record in recall if record["family"] != "original"]
    owner = data["recall_original"]
    features = {
        look: {
            "originals": _described(originals, look),
            "altered": _described(altered, look),
            "pool": _described(negatives, look),
        }
        for look in LOOKS
    }
    # What the product pays to look at a file read again: its decode and description at 640 px.
    describe_ms = float(np.median([record["view_ms"] for record in [*recall, *negatives]]))
    out: dict = {"describe_ms": describe_ms, "verify_ms": []}

    def level(pdq, phash, flat, pairs, side):
        """Near by hashes; and with the look: each look alone, the two together."""
        near, possible = rules.rule_strong(pdq, phash, flat), rules.rule_possible(pdq, phash, flat)
        asked = np.flatnonzero(possible & ~near)
        levels = {}
        for look in LOOKS:
            queries, entries = (features[look][name] for name in side)
            verified, spent = _looked_at([pairs[i] for i in asked], queries, entries)
            if look == "view":
                out["verify_ms"] += spent
            promoted = np.zeros(len(near), bool)
            promoted[asked[verified]] = True
            levels[look] = near | promoted
        return near, levels, len(asked)

    recall_pairs = list(zip(range(len(altered)), owner.tolist(), strict=True))
    recall_distances = (data["recall_pdq"], data["recall_phash"], data["recall_flat"])
    near, levels, asked = level(*recall_distances, recall_pairs, ("altered", "originals"))
    out["recall_near"], out["recall_asked"] = near, asked
    out["recall_verified"] = levels["view"] | levels["thumbnail"]
    for look in LOOKS:
        out[f"recall_verified_{look}"] = levels[look]
    sources = recall_sources()
    related = np.array(
        [[sources[a][1] == sources[b][1] for b in range(len(sources))] for a in range(len(sources))], bool
    )
    # The cross pairs as features() orders them (row-major over (altered copy, original)).
    cross_mask = np.ones((len(altered), len(originals)), bool)
    cross_mask[np.arange(len(altered)), owner] = False
    cross_mask &= ~_overlapping(sources, owner, related)
    cross_pairs = list(zip(*np.nonzero(cross_mask), strict=True))
    upper = np.triu_indices(len(negatives), k=1)
    out.update(false_near=0, false_verified=0, false_verified_view=0, false_verified_thumbnail=0)
    for pdq, phash, flat, pairs, side in (
        (data["cross_pdq"], data["cross_phash"], data["cross_flat"], cross_pairs, ("altered", "originals")),
        (data["negative_pdq"], data["negative_phash"], data["negative_flat"], list(zip(*upper, strict=True)),
         ("pool", "pool")),
        (data["negative_pdq_back"], data["negative_phash_back"], data["negative_flat_back"],
         list(zip(upper[1], upper[0], strict=True)), ("pool", "pool")),
    ):  # fmt: skip
        if len(pairs) != len(pdq):
            raise ValueError("the pairs are not in the order of the features")
        near, levels, _ = level(pdq, phash, flat, pairs, side)
        out["false_near"] += int(near.sum())
        out["false_verified"] += int((levels["view"] | levels["thumbnail"]).sum())
        for look in LOOKS:
            out[f"false_verified_{look}"] += int(levels[look].sum())
    out["trials"] = len(data["cross_pdq"]) + len(upper[0])
    return out


def _overlapping(sources, owner, related) -> np.ndarray:
    """(altered copy, original) pairs cut from the same photo and overlapping: not distinct images."""

    def overlap(a, b) -> bool:
        return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]

    boxes = [box for _, _, box in sources]
    same = np.array(
        [[related[a][b] and overlap(boxes[a], boxes[b]) for b in range(len(sources))] for a in range(len(sources))]
    )
    return same[owner]
