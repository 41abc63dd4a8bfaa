"""Matching files against the active lists: at ingestion, and again when a list version is activated."""

import logging
from collections import Counter

import numpy as np
from django.db import connection, transaction

from audit.services import audit_record
from evidence.ingest.filerows import update_files
from evidence.models import Categorisation, EvidenceFile, RematchNotice
from evidence.triage.near_matching import frames_for, near_copies_of, near_matches
from evidence.triage.verification import known_views_store, promote_verified
from hashing.blockstore import COPY_SIGNATURE, COPY_TRAILER, EXACT, has_blocks, version_difference
from hashing.digestsets import as_bytes
from hashing.hashers import ALGORITHMS
from hashing.models import HashEntry, HashList, HashListVersion
from hashing.near_matching import NEAR, NearMatch
from hashing.selectors import active_matches

log = logging.getLogger(__name__)
REMATCH_CHUNK = 1000
MATCH_FIELDS = (
    "triage",
    "match_list_id",
    "match_algorithm",
    "match_category",
    "match_distance",
    "match_file_id",
    "match_detail",
)
# A reviewer's categorisation is a human decision: re-matching never undoes it.
REVIEW = "review"


def match_files(files, *, only_pending: bool = True) -> None:
    """Set each file's triage and match from the active lists, in one query for all of them.

    ``files`` are EvidenceFile rows with their digests. With ``only_pending``, files already
    triaged are left alone (ingestion); without it every file is decided again (re-matching).
    An alert match wins over an ignorable one; the strongest digest is reported first. A file no
    digest matches may be a near copy of listed or categorised material (``near_matching``): it is
    then a near or a possible match, with its distances and what it is near, for a human to confirm;
    a candidate a reviewer rejected for that file is not proposed again (``rejected_keys``).
    """
    files = [f for f in files if only_pending or f.match_algorithm != REVIEW]

    wanted: dict[str, set[bytes]] = {name: set() for name in ALGORITHMS}
    for evidence_file in files:
        for name in ALGORITHMS:
            if (digest := getattr(evidence_file, name)) is not None:
                wanted[name].add(bytes(digest))
    found = active_matches(wanted)
    deciding = []
    for evidence_file in files:
        if evidence_file.triage == EvidenceFile.Triage.PENDING:
            if not only_pending and evidence_file.processed_at is None:
                continue  # not hashed yet: its own ingestion will match it
        elif only_pending:
            continue
        deciding.append(evidence_file)
    unmatched = []
    for evidence_file in deciding:
        evidence_file.match_distance = evidence_file.match_file_id = evidence_file.match_detail = None
        matches = [
            match
            for name in reversed(ALGORITHMS)  # strongest digest first
            if getattr(evidence_file, name) is not None
            for match in found.get((name, bytes(getattr(evidence_file, name))), [])
        ]
        alerts = [match for match in matches if match.kind == HashList.Kind.ALERT]
        best = (alerts or matches or [None])[0]
        if best is not None:
            evidence_file.triage = EvidenceFile.Triage.KNOWN if alerts else EvidenceFile.Triage.KNOWN_GOOD
            evidence_file.match_list_id = best.list_id
            evidence_file.match_algorithm = best.algorithm
            evidence_file.match_category = best.category
        else:
            unmatched.append(evidence_file)
    near = _near_matches_once_per_content(unmatched)
    # A file decided for the first time (still pending) was never proposed to a reviewer: no
    # rejection to look up (at ingest, a query a batch spared).
    rejected = rejected_keys([f.pk for f in unmatched if f.pk is not None and f.triage != EvidenceFile.Triage.PENDING])
    for position, evidence_file in enumerate(unmatched):
        refused = rejected.get(evidence_file.pk, set())
        match = next((m for m in near.get(position, []) if m.key not in refused), None)
        if match is not None:
            _set_near_match(evidence_file, match)
        else:
            evidence_file.triage = unmatched_triage(evidence_file)
            evidence_file.match_list_id = None
            evidence_file.match_algorithm = evidence_file.match_category = ""


def _set_near_match(evidence_file, match: NearMatch) -> None:
    """A file's triage and match from its near or possible match, with what decided it: both
    distances, the key a rejection remembers, and a pixel check's or a video's keyframes' findings."""
    evidence_file.triage = EvidenceFile.Triage.NEAR if match.strength == NEAR else EvidenceFile.Triage.POSSIBLE
    evidence_file.match_list_id = match.list_id
    evidence_file.match_file_id = match.file_id
    evidence_file.match_algorithm = match.algorithm
    evidence_file.match_category = match.category
    evidence_file.match_distance = match.distance
    evidence_file.match_detail = {"strength": match.strength, **match.distances, "key": match.key}
    if match.verified:
        evidence_file.match_detail["verified"] = dict(match.verified)
    if match.frames is not None:
        evidence_file.match_detail["frames"] = match.frames.as_detail()


def rejected_keys(file_ids: list[int]) -> dict[int, set[str]]:
    """Per file, the candidates reviewers rejected for it (``NearMatch.key``): the same list entry
    (same hash and category) or the same known file (same category) is not proposed again."""
    found: dict[int, set[str]] = {}
    if not file_ids:
        return found
    rows = Categorisation.objects.filter(file_id__in=file_ids, action=Categorisation.Action.REJECT_NEAR).exclude(
        match_key=""
    )
    for file_id, key in rows.values_list("file_id", "match_key"):
        found.setdefault(file_id, set()).add(key)
    return found


def _near_matches_once_per_content(files) -> dict[int, list[NearMatch]]:
    """``near_matches`` by position in ``files``, searched once per content: copies of one content
    (same size, SHA-256 and type: the same decode, so the same perceptual hashes and keyframes)
    take the first copy's answer. The copies are still left out of the files they could match."""
    first: dict[tuple, int] = {}
    asking, asked_for = [], []
    for position, evidence_file in enumerate(files):
        if not _can_ask(evidence_file):
            asked_for.append(None)
            continue
        sha256 = evidence_file.sha256
        key = (evidence_file.size, bytes(sha256), evidence_file.mime) if sha256 is not None else position
        if key not in first:
            first[key] = len(asking)
            asking.append(evidence_file)
        asked_for.append(first[key])
    if not asking:
        return {}
    own = [f.pk for f in files if f.pk is not None]
    found = near_matches(asking, frames_for(asking), own=own)
    promote_verified(asking, found)
    return {position: found[index] for position, index in enumerate(asked_for) if index is not None and index in found}


def _can_ask(evidence_file) -> bool:
    """Whether a file has anything to search near matches with: perceptual hashes (an image) or
    keyframes (a video). Most files of a batch are neither, and are not searched at all."""
    return (
        evidence_file.phash is not None
        or evidence_file.pdq is not None
        or (evidence_file.mime or "").startswith("video/")
    )


def unmatched_triage(evidence_file) -> str:
    """The state of a file no list knows: an error, a new image or video (for review), or another file."""
    if evidence_file.error:
        return EvidenceFile.Triage.ERROR
    if evidence_file.mime.startswith("video/"):
        return EvidenceFile.Triage.NEW_VIDEO
    if evidence_file.phash is not None:  # an image that decoded
        return EvidenceFile.Triage.NEW_IMAGE
    return EvidenceFile.Triage.OTHER


# The hashes (and categories) in one version and not the other, both ways: only files holding one of
# them can have changed. A category change shows up on both sides, so its files are looked at too.
CHANGED_FILES = """
WITH changed AS (
    SELECT algorithm, value FROM (
        SELECT algorithm, value, category FROM hashing_hashentry WHERE version_id = %(new)s
        EXCEPT SELECT algorithm, value, category FROM hashing_hashentry WHERE version_id = %(old)s
    ) AS added
    UNION
    SELECT algorithm, value FROM (
        SELECT algorithm, value, category FROM hashing_hashentry WHERE version_id = %(old)s
        EXCEPT SELECT algorithm, value, category FROM hashing_hashentry WHERE version_id = %(new)s
    ) AS removed
)
SELECT f.id FROM evidence_evidencefile f JOIN changed c ON c.algorithm = %(md5)s AND f.md5 = c.value
    WHERE f.processed_at IS NOT NULL
UNION SELECT f.id FROM evidence_evidencefile f JOIN changed c ON c.algorithm = %(sha1)s AND f.sha1 = c.value
    WHERE f.processed_at IS NOT NULL
UNION SELECT f.id FROM evidence_evidencefile f JOIN changed c ON c.algorithm = %(sha256)s AND f.sha256 = c.value
    WHERE f.processed_at IS NOT NULL
ORDER BY 1
"""


# Whether the perceptual entries differ between the two versions (then any image or video may change).
PERCEPTUAL_CHANGED = """
SELECT EXISTS (
    SELECT 1 FROM hashing_hashentry n WHERE n.version_id = %(new)s AND n.algorithm IN (%(phash)s, %(pdq)s)
    AND NOT EXISTS (SELECT 1 FROM hashing_hashentry o WHERE o.version_id = %(old)s
        AND o.algorithm = n.algorithm AND o.value = n.value AND o.category = n.category)
) OR EXISTS (
    SELECT 1 FROM hashing_hashentry o WHERE o.version_id = %(old)s AND o.algorithm IN (%(phash)s, %(pdq)s)
    AND NOT EXISTS (SELECT 1 FROM hashing_hashentry n WHERE n.version_id = %(new)s
        AND n.algorithm = o.algorithm AND n.value = o.value AND n.category = o.category)
)
"""


def changed_file_ids(version_id: int, previous_id: int | None) -> list[int]:
    """Ids of the ingested files whose match may differ between the two versions (ints, not rows).

    Exact hashes: the files holding a hash that differs. Perceptual entries: if any differs, every
    file a near match could change (near matches, new images and new videos).
    """
    parameters = {
        "new": version_id,
        "old": previous_id or 0,
        "md5": HashEntry.Algorithm.MD5,
        "sha1": HashEntry.Algorithm.SHA1,
        "sha256": HashEntry.Algorithm.SHA256,
        "phash": HashEntry.Algorithm.PHASH,
        "pdq": HashEntry.Algorithm.PDQ,
    }
    with connection.cursor() as cursor:
        if has_blocks(version_id, previous_id):
            ids = _files_holding(version_difference(version_id, previous_id, with_categories=True))
        else:
            cursor.execute(CHANGED_FILES, parameters)
            ids = {row[0] for row in cursor.fetchall()}
        cursor.execute(PERCEPTUAL_CHANGED, parameters)
        perceptual_changed = cursor.fetchone()[0]
    if perceptual_changed:
        states = (EvidenceFile.Triage.NEAR, EvidenceFile.Triage.POSSIBLE, *EvidenceFile.NEW_STATES)
        ids.update(
            EvidenceFile.objects.filter(triage__in=states, processed_at__isnull=False).values_list("pk", flat=True)
        )
    return sorted(ids)


# The files holding one of the changed digests staged in CHANGED_TABLE (one query, a hash join).
FILES_HOLDING = """
SELECT f.id FROM evidence_evidencefile f JOIN {table} c ON c.algorithm = %(md5)s AND f.md5 = c.value
    WHERE f.processed_at IS NOT NULL
UNION SELECT f.id FROM evidence_evidencefile f JOIN {table} c ON c.algorithm = %(sha1)s AND f.sha1 = c.value
    WHERE f.processed_at IS NOT NULL
UNION SELECT f.id FROM evidence_evidencefile f JOIN {table} c ON c.algorithm = %(sha256)s AND f.sha256 = c.value
    WHERE f.processed_at IS NOT NULL
"""
CHANGED_TABLE = "rematch_changed_digests"


def _files_holding(difference) -> set[int]:
    """Ids of the ingested files holding a digest added or removed (or whose category changed).

    The digests go to a TEMP table (COPY on PostgreSQL) so that one join finds their files, however
    many there are (a first version of ten million).
    """
    postgres = connection.vendor == "postgresql"
    value_type = "bytea" if postgres else "blob"
    parameters = {name: int(number) for name, number in EXACT.items()}
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {CHANGED_TABLE}")
        cursor.execute(f"CREATE TEMP TABLE {CHANGED_TABLE} (algorithm smallint, value {value_type})")
        for name, (added, removed) in difference.items():
            for values in (added, removed):
                if not len(values):
                    continue
                if postgres:
                    with cursor.copy(f"COPY {CHANGED_TABLE} (algorithm, value) FROM STDIN (FORMAT BINARY)") as copy:
                        copy.write(_copy_rows(int(EXACT[name]), values))
                else:
                    rows = [(int(EXACT[name]), value) for value in as_bytes(values)]
                    cursor.executemany(f"INSERT INTO {CHANGED_TABLE} VALUES (%s, %s)", rows)  # noqa: S608
        if postgres:
            cursor.execute(f"ANALYZE {CHANGED_TABLE}")
        cursor.execute(FILES_HOLDING.format(table=CHANGED_TABLE), parameters)
        ids = {row[0] for row in cursor.fetchall()}
        cursor.execute(f"DROP TABLE {CHANGED_TABLE}")
    return ids


def _copy_rows(algorithm: int, values) -> bytes:
    """Binary COPY rows (algorithm int2, value bytea) for equal-width digests, built by numpy at once."""
    width = values.dtype.itemsize
    fields = [("fields", ">i2"), ("size1", ">i4"), ("algorithm", ">i2"), ("size2", ">i4"), ("value", f"S{width}")]
    row = np.dtype(fields)
    rows = np.empty(len(values), dtype=row)
    rows["fields"], rows["size1"], rows["algorithm"], rows["size2"] = 2, 2, algorithm, width
    rows["value"] = values
    return COPY_SIGNATURE + rows.tobytes() + COPY_TRAILER


def rematch_after_activation(*, version: HashListVersion, previous_id: int | None) -> list[RematchNotice]:
    """Match again, in chunks, every ingested file whose match may differ now that ``version`` is active.

    Files that were new and are now on an alert list become known (with list and category);
    files whose only match was on a hash the list no longer has go back to new. Each dossier
    with a changed file gets one notice for its members.
    """
    now_known: Counter[int] = Counter()
    no_longer_known: Counter[int] = Counter()
    ids = changed_file_ids(version.pk, previous_id)
    for start in range(0, len(ids), REMATCH_CHUNK):
        files = list(EvidenceFile.objects.filter(pk__in=ids[start : start + REMATCH_CHUNK]).select_related("exhibit"))
        before = {f.pk: tuple(getattr(f, field) for field in MATCH_FIELDS) for f in files}
        match_files(files, only_pending=False)
        changed = [f for f in files if tuple(getattr(f, field) for field in MATCH_FIELDS) != before[f.pk]]
        for evidence_file in changed:
            was_known = before[evidence_file.pk][0] == EvidenceFile.Triage.KNOWN
            is_known = evidence_file.triage == EvidenceFile.Triage.KNOWN
            if is_known and not was_known:
                now_known[evidence_file.exhibit.dossier_id] += 1
            elif was_known and not is_known:
                no_longer_known[evidence_file.exhibit.dossier_id] += 1
        _save_matches(changed)
    notices = []
    with transaction.atomic():
        for dossier_id in sorted(set(now_known) | set(no_longer_known)):
            notice = RematchNotice.objects.create(
                dossier_id=dossier_id,
                version=version,
                files_now_known=now_known[dossier_id],
                files_no_longer_known=no_longer_known[dossier_id],
            )
            audit_record(
                actor=None,
                action="hashlist.rematch",
                target=notice,
                dossier=notice.dossier,
                version=version.pk,
                files_now_known=notice.files_now_known,
                files_no_longer_known=notice.files_no_longer_known,
            )
            notices.append(notice)
    log.info("re-matched %s files for version %s: %s notices", len(ids), version.pk, len(notices))
    return notices


def _save_matches(files) -> None:
    if not files:
        return
    with transaction.atomic():
        update_files(files, MATCH_FIELDS)


def near_copies_rematch(*, file_ids: list[int]) -> int:
    """Match again the waiting files near those just made known by a reviewer; return how many became near.

    Each dossier holding such a copy sees it as a near match (with its distance) in its review page.
    """
    known = list(EvidenceFile.objects.filter(pk__in=file_ids, triage=EvidenceFile.Triage.KNOWN))
    if not known:
        return 0
    known_views_store(known)  # while their evidence is here: copies met later are looked at against them
    copies = list(EvidenceFile.objects.filter(pk__in=near_copies_of(known)).select_related("exhibit"))
    before = {f.pk: tuple(getattr(f, field) for field in MATCH_FIELDS) for f in copies}
    match_files(copies, only_pending=False)
    changed = [f for f in copies if tuple(getattr(f, field) for field in MATCH_FIELDS) != before[f.pk]]
    _save_matches(changed)
    for evidence_file in changed:
        audit_record(
            actor=None,
            action="review.near_copy",
            target=evidence_file,
            dossier=evidence_file.exhibit.dossier,
            triage=evidence_file.triage,
            near=evidence_file.match_file_id,
            distance=evidence_file.match_distance,
        )
    return len(changed)
