"""Where the image is here, look at it: a possible match to a file already categorised in this
installation, or to a listed image of which a file here is a copy (its PDQ within
``LISTED_IMAGE_PDQ`` bits of the listed one: the same picture, re-encoded at most), is verified with
local features (``hashing.keypoints``: ORB keypoints, a similarity
fitted by RANSAC, a cell-by-cell look), which survive the crops, tilts and overlays that move both
perceptual hashes; a verified candidate becomes a near match, with what the check found.

Both sides are looked at as ``hashing.keypoints`` describes an image (a long side of 640 px): read
again from the evidence where the ingest read it (``evidence.search.reading.contents_again``: a
folder, a disk image, an archive's walk; its SHA-256 checked on the way), else, where the evidence
cannot be read now (a source unmounted, a member too large), from the description kept in the
derived store when the file was made known or first looked at (``known_views_store``), and from the
thumbnail (256 px, in the derived store since ingestion), which is also looked at where the first
look does not verify (each verifies copies the other does not: bench/near_corpus.py, near where the
original is here, 0.833 on thumbnails alone, 0.875 at 640 px alone, 0.883 with both, no false one
either way). Off the hot path: only files whose best candidate is a possible match against a known
file or a listed image here are looked at, at most ``CHECKS_PER_FILE`` candidates each.
"""

import dataclasses
import io
import logging

from django.conf import settings

from config.messages import MessageError
from config.store import derived_exists, read_derived, store_derived
from evidence.ingest import disk_files
from evidence.models import EvidenceFile
from evidence.search.reading import contents_again
from evidence.triage.file_index import file_hits
from hashing.keypoints import LONG_SIDE, Features, describe_stream, verify
from hashing.near_matching import NEAR, POSSIBLE, NearMatch
from hashing.nearest import as_codes

log = logging.getLogger(__name__)
CHECKS_PER_FILE = 3
# A file whose PDQ is this close to a listed image's is that image (re-encoded, resized): on the
# near-match corpus (bench/near_corpus.py) the closest distinct images were 24 bits apart.
LISTED_IMAGE_PDQ = 16
# The derived store's folder of the descriptions at LONG_SIDE (``hashing.keypoints.Features``), named
# after their content as the thumbnails are: a copy met in a year is looked at against a known picture
# whose exhibit has been returned since.
VIEWS = "views"


def promote_verified(files, found: dict[int, list[NearMatch]]) -> int:
    """Look at the possible matches of ``files`` (by position, as ``near_matches`` gives them) that are
    against a known file or a listed image here; put a verified one first, as a near match. Returns
    how many were promoted."""
    asking = {
        position: [m for m in matches if m.strength == POSSIBLE and (m.file_id or m.listed_pdq)][:CHECKS_PER_FILE]
        for position, matches in found.items()
        if matches[0].strength != NEAR and _looks_at(files[position])
    }
    asking = {position: matches for position, matches in asking.items() if matches}
    if not asking:
        return 0
    listed_here = _listed_images_here({m.listed_pdq for ms in asking.values() for m in ms if not m.file_id})
    wanted = {m.file_id for ms in asking.values() for m in ms if m.file_id} | set(listed_here.values())
    others = EvidenceFile.objects.filter(pk__in=wanted).exclude(thumbnail="").in_bulk()
    looks = _Looks([files[position] for position in asking], list(others.values()))
    promoted = 0
    for position, matches in asking.items():
        mine = files[position]
        for match in matches:
            other = match.file_id or listed_here.get(match.listed_pdq)
            if other == mine.pk or other not in others:  # the file itself: its hashes said how near it is
                continue
            check = looks.verified(others[other], mine)
            if check is not None:
                seen = (("inliers", check.inliers), ("agreement", check.agreement), ("file", other))
                near = dataclasses.replace(match, strength=NEAR, verified=seen)
                found[position] = [near, *(m for m in found[position] if m is not match)]
                promoted += 1
                break
    return promoted


def known_views_store(files) -> int:
    """Keep in the derived store the description of each picture of ``files`` (made known by a
    reviewer: those that copies are looked at against) that has none yet, read from its evidence
    while it is here. Returns how many were kept."""
    records = [record for record in _readable(list(files)) if _looks_at(record) and not _view_kept(record)]
    if not records:
        return 0
    kept = 0
    with disk_files.ImageReader() as reader:
        for record, content in contents_again(records, reader):
            if isinstance(content, bytes) and (features := _features_of(content, record.path)) is not None:
                kept += _keep_view(record, features)
    return kept


def _view_name(record: EvidenceFile) -> str:
    return f"{bytes(record.sha256).hex()}-{LONG_SIDE}.skp"


def _view_path(record: EvidenceFile) -> str:
    """Where ``store_derived`` keeps it, relative to the derived store."""
    name = _view_name(record)
    return f"{VIEWS}/{name[:2]}/{name}"


def _view_kept(record: EvidenceFile) -> bool:
    return derived_exists(_view_path(record))


def _keep_view(record: EvidenceFile, features: Features) -> bool:
    try:
        store_derived(settings.DERIVED_ROOT, VIEWS, _view_name(record), features.to_bytes())
    except OSError as error:  # the store full or unwritable: the evidence or the thumbnail next time
        log.warning("description of %s not kept: %s", record.path, error)
        return False
    return True


def _kept_view(record: EvidenceFile):
    """The description kept for ``record``'s content, or None (none kept, or unreadable)."""
    try:
        return Features.from_bytes(read_derived(_view_path(record)))
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as error:
        log.warning("description %s not read: %s", _view_path(record), error)
        return None


def _listed_images_here(listed_pdqs: set) -> dict[bytes, int]:
    """Per listed image's PDQ, the file here closest to it within ``LISTED_IMAGE_PDQ`` bits (an image
    with a thumbnail): the listed picture's pixels, where a copy of it was ingested."""
    listed_pdqs = sorted(pdq for pdq in listed_pdqs if pdq)
    if not listed_pdqs:
        return {}
    hits = file_hits({"pdq": as_codes(listed_pdqs, 256)}, {"pdq": LISTED_IMAGE_PDQ})["pdq"]
    images = set(
        EvidenceFile.objects.filter(pk__in={file_id for _, file_id, _ in hits})
        .exclude(thumbnail="")
        .exclude(mime__startswith="video/")
        .values_list("pk", flat=True)
    )
    closest: dict[bytes, tuple[int, int]] = {}
    for query, file_id, distance in hits:
        pdq = listed_pdqs[query]
        if file_id in images and (distance, file_id) < closest.get(pdq, (LISTED_IMAGE_PDQ + 1, 0)):
            closest[pdq] = (distance, file_id)
    return {pdq: file_id for pdq, (_, file_id) in closest.items()}


def _looks_at(evidence_file) -> bool:
    """An image with a thumbnail (a video's is a contact sheet: its keyframes are matched instead)."""
    return bool(evidence_file.thumbnail) and not (evidence_file.mime or "").startswith("video/")


class _Looks:
    """The local features of the files of one call, each described once a content: from its bytes
    read again (640 px; a known side's description then kept), else from the description kept, and,
    where those do not verify a pair (or there is none), from its thumbnail (256 px): a pair is
    verified when either look says so (bench/near_corpus.py measures both, and the two together,
    recall and false matches)."""

    def __init__(self, asking: list[EvidenceFile], others: list[EvidenceFile]) -> None:
        self.views: dict[tuple, object] = {}
        self.thumbnails: dict[str, object] = {}
        known = {_key(record) for record in others}
        with disk_files.ImageReader() as reader:
            for record, content in contents_again(_readable([*asking, *others]), reader):
                if isinstance(content, bytes):
                    self.views[_key(record)] = features = _features_of(content, record.path)
                    if features is not None and _key(record) in known:
                        _keep_view(record, features)  # store_derived writes a content's file once
        for record in [*asking, *others]:
            if record.sha256 is not None and self.views.get(_key(record)) is None:
                self.views[_key(record)] = _kept_view(record)

    def verified(self, known: EvidenceFile, candidate: EvidenceFile):
        """The check that verified ``candidate`` as a copy of ``known``'s picture, or None."""
        for look in (self._view, self._thumbnail):
            theirs, mine = look(known), look(candidate)
            if theirs is not None and mine is not None and (check := verify(theirs, mine)).verified:
                return check
        return None

    def _view(self, record: EvidenceFile):
        return self.views.get(_key(record))

    def _thumbnail(self, record: EvidenceFile):
        if not record.thumbnail:
            return None
        if record.thumbnail not in self.thumbnails:
            self.thumbnails[record.thumbnail] = _thumbnail_features(record.thumbnail)
        return self.thumbnails[record.thumbnail]


def _readable(records: list[EvidenceFile]) -> list[EvidenceFile]:
    """One record of each content, with what reading it again needs (a source and its SHA-256)."""
    seen, readable = set(), []
    for record in records:
        if record.source_path and record.sha256 is not None and _key(record) not in seen:
            seen.add(_key(record))
            readable.append(record)
    return readable


def _key(record: EvidenceFile) -> tuple:
    return (bytes(record.sha256), record.size) if record.sha256 is not None else ("unhashed", id(record))


def _features_of(content: bytes, shown: str):
    try:
        return describe_stream(io.BytesIO(content))
    except (OSError, MessageError, ValueError) as error:
        log.warning("%s not verified from its evidence: %s", shown, error)
        return None


def _thumbnail_features(thumbnail: str):
    """The local features of a thumbnail; None if it cannot be read (gone, damaged)."""
    try:
        return describe_stream(io.BytesIO(read_derived(thumbnail)))
    except (OSError, MessageError, ValueError) as error:
        log.warning("thumbnail %s not verified: %s", thumbnail, error)
        return None
