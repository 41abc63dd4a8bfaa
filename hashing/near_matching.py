"""Near-duplicate lookups in the lists: which entries of the active alert lists are near these
perceptual hashes, and how strongly. Matching the evidence files (against the lists and against the
files already categorised in this installation) is evidence's (``evidence.triage.near_matching``).

A query is an image's PDQ (with its seven rotations and mirrors, the hashes of the image without a
uniform border, and those of the image with a crop or a tilt undone: ``hashing.perceptual``) and
its pHash, or the same for each sampled keyframe of a video. A PDQ of low quality (a flat image) is
not used: it matches too much. Each candidate gets the smallest distance of each hash over the
queries, and ``match_strength`` decides with both (the rule and how it was chosen: config/settings.py,
bench/near_corpus.py).

A video against a known video (one with keyframes) is matched as a whole, as vPDQ does: the share of
its keyframes that match the other's in order (``longest_in_order``) decides (``video_strength``), so
that a trimmed or re-encoded copy is recognised and a single shared keyframe (a title card) is not.
"""

from dataclasses import dataclass

import numpy as np
from django.conf import settings

from hashing.indexes import active_indexes, search_radius
from hashing.models import CategoryValue, HashEntry, HashList

NEAR, POSSIBLE = "near", "possible"
STRENGTHS = (NEAR, POSSIBLE)  # strongest first


def _within(distances: dict[str, int], pdq: int | None, phash: int | None, joint) -> bool:
    found_pdq, found_phash = distances.get("pdq"), distances.get("phash")
    if found_pdq is not None and pdq is not None and found_pdq <= pdq:
        return True
    if found_phash is not None and phash is not None and found_phash <= phash:
        return True
    if found_pdq is None or found_phash is None:
        return False
    joint_pdq, joint_phash = joint
    return found_pdq <= joint_pdq and found_phash <= joint_phash


MISSING = 999  # a distance not known (the candidate lacks that hash): beyond every bound
UNMEASURED = -1  # a query whose flat share is not known (a video's keyframe, a file hashed before it)


def near_by_hashes(pdq, phash, flat_share):
    """Whether candidates at these distances are near matches by their hashes, for a query with this
    flat share (per mille, ``hashing.perceptual.flat_share``). Works on ints as on numpy arrays (the
    bench decides a million pairs with it): a missing distance is MISSING, an unknown share UNMEASURED.

    Calibrated on the bench's corpus with grouped cross-validation (bench/near_calibration.py):
    - any query: PDQ <= PDQ_MATCH_DISTANCE, or pHash <= PHASH_MATCH_DISTANCE, or both within
      NEAR_JOINT_DISTANCES, as before;
    - a photo-like query (flat share <= NEAR_PHOTO_MAX_FLAT) also with both within
      NEAR_PHOTO_JOINT_DISTANCES: a crop or a tilt moves PDQ past 31 and leaves pHash close;
    - a document, a screen, a drawing (flat share > NEAR_GRAPHIC_MIN_FLAT) only with PDQ <=
      NEAR_GRAPHIC_PDQ_DISTANCE: distinct screens of one form are within PDQ 24-45, pHash 0-10.
    """
    joint_pdq, joint_phash = settings.NEAR_JOINT_DISTANCES
    photo_pdq, photo_phash = settings.NEAR_PHOTO_JOINT_DISTANCES
    graphic = np.greater(flat_share, settings.NEAR_GRAPHIC_MIN_FLAT)  # numpy booleans: ~ is "not"
    photo = np.greater_equal(flat_share, 0) & np.less_equal(flat_share, settings.NEAR_PHOTO_MAX_FLAT) & ~graphic
    either = (
        (pdq <= settings.PDQ_MATCH_DISTANCE)
        | (phash <= settings.PHASH_MATCH_DISTANCE)
        | ((pdq <= joint_pdq) & (phash <= joint_phash))
    )
    jointly = (pdq <= photo_pdq) & (phash <= photo_phash)
    return (~graphic & either) | (photo & jointly) | (graphic & (pdq <= settings.NEAR_GRAPHIC_PDQ_DISTANCE))


def match_strength(distances: dict[str, int], flat_share: int | None = None) -> str | None:
    """NEAR, POSSIBLE or None for a candidate at these distances (bits; "pdq" and / or "phash") of a
    query with this flat share (per mille; None: not known).

    Near: ``near_by_hashes``. Possible: PDQ <= POSSIBLE_PDQ_DISTANCE, or pHash <=
    POSSIBLE_PHASH_DISTANCE, or both within POSSIBLE_JOINT_DISTANCES. A hash the candidate lacks (a
    list entry with a PDQ only, a flat image's PDQ) does not count for a joint rule.
    """
    pdq, phash = distances.get("pdq", MISSING), distances.get("phash", MISSING)
    if near_by_hashes(pdq, phash, UNMEASURED if flat_share is None else flat_share):
        return NEAR
    if _within(
        distances, settings.POSSIBLE_PDQ_DISTANCE, settings.POSSIBLE_PHASH_DISTANCE, settings.POSSIBLE_JOINT_DISTANCES
    ):
        return POSSIBLE
    return None


@dataclass(frozen=True)
class FrameShare:
    """How much of a video matched a known video: ``matched`` keyframes in order, of the ``of``
    keyframes sampled from it and the ``known`` ones of the known video."""

    matched: int
    of: int
    known: int

    @property
    def query_share(self) -> float:
        return self.matched / self.of if self.of else 0.0

    @property
    def known_share(self) -> float:
        return self.matched / self.known if self.known else 0.0

    def as_detail(self) -> dict[str, int]:
        return {"matched": self.matched, "of": self.of, "known": self.known}


def video_strength(share: FrameShare) -> str | None:
    """NEAR, POSSIBLE or None for a video against a known video, by the share of its keyframes that
    match the known video's in order (``longest_in_order``).

    Near when that share is >= VIDEO_NEAR_SHARE, possible when >= VIDEO_POSSIBLE_SHARE; never on fewer
    than VIDEO_MIN_FRAMES keyframes in order, so one shared keyframe (a title card, a logo) does not
    make two videos match however short they are. The known video's share is shown, not decisive
    (as vPDQ's default): a trimmed copy holds a small part of the known video, all of it matching.
    """
    if share.matched < settings.VIDEO_MIN_FRAMES:
        return None
    if share.query_share >= settings.VIDEO_NEAR_SHARE:
        return NEAR
    if share.query_share >= settings.VIDEO_POSSIBLE_SHARE:
        return POSSIBLE
    return None


def longest_in_order(matching) -> int:
    """The longest chain of matching pairs (query keyframe i, known keyframe j) increasing in both i
    and j, for ``matching[i][j]`` booleans: each keyframe is used once, in the order of both videos.

    A longest common subsequence over the matrix, O(n m): at most twelve keyframes a side.
    """
    previous: list[int] = []
    for row in matching:
        current = [0] * (len(row) + 1)
        previous = previous or [0] * (len(row) + 1)
        for j, matches in enumerate(row, start=1):
            current[j] = max(previous[j], current[j - 1], previous[j - 1] + 1 if matches else 0)
        previous = current
    return previous[-1] if previous else 0


@dataclass(frozen=True)
class NearMatch:
    algorithm: str  # the hash that came closest relative to its bound: "pdq" or "phash"
    distance: int
    category: str
    list_id: int | None = None
    file_id: int | None = None
    strength: str = NEAR
    pdq: int | None = None  # both distances, where known
    phash: int | None = None
    # What a reviewer's rejection remembers: the list entry (its hash and category) or the known file
    # (and its category). The same key is not proposed again to that file.
    key: str = ""
    # What a look at both images found (evidence.triage.verification), when one promoted it:
    # (("inliers", n), ("agreement", share)).
    verified: tuple = ()
    # A video against a known video: how many keyframes matched in order (``video_strength``).
    frames: FrameShare | None = None
    # A listed image's PDQ (a list candidate): where a file here is that image, its pixels can be
    # looked at (evidence.triage.verification).
    listed_pdq: bytes | None = None

    def rank(self) -> tuple:
        """Near before possible; then closest relative to its bound; a list entry before a file; stable."""
        radius = search_radius()[self.algorithm]
        return (
            STRENGTHS.index(self.strength),
            self.distance / max(radius, 1),
            self.list_id is None,
            self.list_id or 0,
            self.file_id or 0,
        )

    @property
    def distances(self) -> dict[str, int]:
        return {name: value for name, value in (("pdq", self.pdq), ("phash", self.phash)) if value is not None}


def decided(
    distances: dict[str, int],
    category: str,
    *,
    list_id=None,
    file_id=None,
    key="",
    frames: FrameShare | None = None,
    listed_pdq: bytes | None = None,
    flat_share: int | None = None,
) -> NearMatch | None:
    """The NearMatch of a candidate at these distances, or None if it is neither near nor possible.

    ``flat_share``: the query's (``match_strength``), None where not known.
    With ``frames`` (a video against a known video), their share decides, not the closest keyframes.
    """
    strength = match_strength(distances, flat_share) if frames is None else video_strength(frames)
    if strength is None or not distances:
        return None
    radius = search_radius()
    algorithm = min(distances, key=lambda name: (distances[name] / radius[name], name))
    return NearMatch(
        algorithm,
        distances[algorithm],
        category,
        list_id=list_id,
        file_id=file_id,
        strength=strength,
        pdq=distances.get("pdq"),
        phash=distances.get("phash"),
        key=key,
        frames=frames,
        listed_pdq=listed_pdq,
    )


def usable_phash(value) -> bool:
    """pHash thresholds coefficients at their median: about half its bits are set. One with nearly
    none or all set comes from a flat image and would match every other flat image."""
    return value is not None and 8 <= int.from_bytes(bytes(value), "big").bit_count() <= 56


def _split(blob, width: int) -> list[bytes]:
    blob = bytes(blob or b"")
    return [blob[start : start + width] for start in range(0, len(blob), width)]


def perceptual_queries(evidence_file, frames=None) -> dict[str, list[bytes]]:
    """The hashes a file asks with, per algorithm: its own (an image) or its keyframes' (a video)."""
    sources = frames if frames is not None else [evidence_file]
    queries: dict[str, list[bytes]] = {"pdq": [], "phash": []}
    for source in sources:
        if source.pdq is not None and (source.pdq_quality or 0) >= settings.PDQ_MIN_QUALITY:
            queries["pdq"] += [bytes(source.pdq), *_split(source.pdq_variants, 32)]
        if usable_phash(source.phash):
            queries["phash"] += [bytes(source.phash), *_split(source.phash_variants, 8)]
    return {name: list(dict.fromkeys(values)) for name, values in queries.items()}


@dataclass(frozen=True)
class ListHit:
    """An alerting list entry within the search radius of a query code."""

    algorithm: str
    query: int  # position in the codes asked with
    distance: int
    entry_id: int
    list_id: int
    category: str
    value: bytes
    version_id: int
    item: int | None  # the record of the list file (HashEntry.item): one image's hashes share it

    @property
    def image(self) -> tuple:
        """Which listed image this entry is a hash of: its record, or the entry alone."""
        return (self.version_id, self.item) if self.item is not None else ("entry", self.entry_id)


def list_near_hits(codes: dict, radius: dict[str, int]) -> list[ListHit]:
    """Every entry of an active alert list, in an alerting category, within ``radius`` of a query code
    (``codes``: per algorithm, as ``nearest.as_codes``).

    One index search per active version and algorithm, then the entries' lists and categories in
    one query.
    """
    hits: dict[int, list[tuple[str, int, int]]] = {}
    for loaded in active_indexes():
        if not len(codes[loaded.algorithm]):
            continue
        found = loaded.index.search(codes[loaded.algorithm], radius[loaded.algorithm])
        for query, row, distance in found:
            entry_id = int(loaded.entry_ids[row])
            hits.setdefault(entry_id, []).append((loaded.algorithm, query, distance))
    if not hits:
        return []
    return [
        ListHit(algorithm, query, distance, *entry)
        for entry in _alerting_entries(list(hits))
        for algorithm, query, distance in hits[entry[0]]
    ]


def image_hashes(hits: list[ListHit]) -> dict[tuple, dict[str, bytes]]:
    """Every perceptual hash of each listed image the hits are of (``ListHit.image``): the hits' own,
    and the other hashes of their records (a PDQ found near a query brings its image's pHash)."""
    images: dict[tuple, dict[str, bytes]] = {}
    records: dict[int, set[int]] = {}
    for hit in hits:
        images.setdefault(hit.image, {})[hit.algorithm] = hit.value
        if hit.item is not None:
            records.setdefault(hit.version_id, set()).add(hit.item)
    for version_id, items in records.items():
        rows = HashEntry.objects.filter(
            version_id=version_id,
            item__in=sorted(items),
            algorithm__in=[HashEntry.Algorithm.PDQ, HashEntry.Algorithm.PHASH],
        ).values_list("item", "algorithm", "value")
        for item, algorithm, value in rows:
            images[(version_id, item)].setdefault(HashEntry.NAMES[algorithm], bytes(value))
    return images


def image_key(hashes: dict[str, bytes], category: str) -> str:
    """What a rejection of a listed image remembers (``NearMatch.key``): its hashes and category. A new
    version listing the same image in the same category gives the same key; a changed entry does not."""
    return "entry:" + ":".join(f"{name}={hashes[name].hex()}" for name in sorted(hashes)) + f":{category}"


def _alerting_entries(entry_ids: list[int]) -> list[tuple]:
    """(entry id, list id, category, value, version id, item) of those entries that are on an alert list
    in an alerting category."""
    rows = HashEntry.objects.filter(pk__in=entry_ids, version__hash_list__kind=HashList.Kind.ALERT).values_list(
        "pk",
        "category",
        "version__hash_list_id",
        "version__hash_list__default_category",
        "version__hash_list__scheme_id",
        "value",
        "version_id",
        "item",
    )
    not_alerting = set(CategoryValue.objects.filter(is_alert=False).values_list("scheme_id", "code"))
    found = []
    for entry_id, category, list_id, default_category, scheme_id, value, version_id, item in rows:
        category = category or default_category
        if (scheme_id, category) not in not_alerting:
            found.append((entry_id, list_id, category, bytes(value), version_id, item))
    return found
