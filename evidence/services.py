import logging
import os
import time
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import audit_record
from cases.models import Dossier, Search
from evidence import bulk, custody, filetypes, sources
from evidence.models import Acquisition, CustodyEvent, EvidenceFile, Exhibit, IngestBatch, IngestJob, IngestSource
from evidence.store import store_stream
from hashing.hashers import ALGORITHMS, digest_stream
from hashing.models import HashList
from hashing.selectors import active_matches

log = logging.getLogger(__name__)
PROGRESS_EVERY_SECONDS = 1.0


EXHIBIT_DETAILS = (
    "make",
    "device_model",
    "serial_number",
    "imei",
    "iccid",
    "capacity_bytes",
    "power_state",
    "locked",
    "damaged",
    "parent",
    "seized_from",
    "search",
    "storage_location",
)


def _check_same_dossier(dossier: Dossier, details: dict) -> None:
    for field in ("parent", "seized_from", "search"):
        related = details.get(field)
        if related is not None and related.dossier_id != dossier.pk:
            raise ValidationError(_("A parent exhibit, suspect or search must belong to the same dossier."))


@transaction.atomic
def exhibit_register(
    *, dossier: Dossier, kind: str, seal_number: str, description: str = "", by, ip: str | None = None, **details
) -> Exhibit:
    """Register a seized item. ``details``: any of EXHIBIT_DETAILS; parent, suspect and search of this dossier."""
    unknown = set(details) - set(EXHIBIT_DETAILS)
    if unknown:
        raise TypeError(f"unknown exhibit fields: {sorted(unknown)}")
    _check_same_dossier(dossier, details)
    details = {key: value for key, value in details.items() if value is not None}
    exhibit = Exhibit.objects.create(
        dossier=dossier, kind=kind, seal_number=seal_number, description=description, created_by=by, **details
    )
    audit_record(actor=by, action="exhibit.register", target=exhibit, ip=ip)
    return exhibit


def _custody_message(code: str) -> str:
    messages = {
        "unknown": _("This is not a custody event."),
        "first_not_sealed": _("The first event of a chain of custody is the sealing."),
        "already_sealed": _("This exhibit is already sealed; record a resealing after opening it."),
        "after_final": _("Nothing can happen to an exhibit after it was returned or destroyed."),
        "not_checked_out": _("This exhibit cannot be checked in: it is not checked out."),
        "already_checked_out": _("This exhibit is already checked out; check it in first."),
        "already_open": _("This exhibit is already open; reseal it first."),
        "not_open": _("This exhibit cannot be resealed: it was not opened."),
        "open_at_end": _("Reseal this exhibit before it is returned or destroyed."),
    }
    return messages.get(code, custody.MESSAGES.get(code, code))


@transaction.atomic
def custody_event_record(*, exhibit: Exhibit, kind: str, at, by, ip: str | None = None, **fields) -> CustodyEvent:
    """Append one event to the exhibit's chain of custody, if the sequence allows it (evidence.custody).

    The exhibit row is locked so that two hand-overs recorded at once cannot both pass the check.
    Raises ValidationError with a readable message.
    """
    exhibit = Exhibit.objects.select_for_update().get(pk=exhibit.pk)
    previous = list(exhibit.custody_events.order_by("at", "id").values_list("kind", "at"))
    code = custody.custody_error([kind for kind, _at in previous], kind)
    if code:
        raise ValidationError(_custody_message(code))
    if previous and at < previous[-1][1]:
        raise ValidationError(_("A custody event cannot be earlier than the previous one."))
    event = CustodyEvent.objects.create(exhibit=exhibit, kind=kind, at=at, recorded_by=by, **fields)
    if kind in (CustodyEvent.Kind.SEALED, CustodyEvent.Kind.RESEALED) and fields.get("seal_after"):
        exhibit.seal_number = fields["seal_after"]
        exhibit.save(update_fields=["seal_number"])
    if fields.get("to_location"):
        exhibit.storage_location = fields["to_location"]
        exhibit.save(update_fields=["storage_location"])
    audit_record(actor=by, action="custody.record", target=event, ip=ip, kind=kind)
    return event


@transaction.atomic
def acquisition_record(
    *,
    exhibit: Exhibit,
    examiner: str,
    tool: str,
    tool_version: str,
    image_format: str,
    started_at,
    by,
    write_blocker: str = "",
    ended_at=None,
    md5: bytes | None = None,
    sha1: bytes | None = None,
    sha256: bytes | None = None,
    ip: str | None = None,
) -> Acquisition:
    """Record a forensic image of the exhibit; hashes are the bytes the examiner's tool reported."""
    for value, size in ((md5, 16), (sha1, 20), (sha256, 32)):
        if value is not None and len(value) != size:
            raise ValidationError(_("An acquisition hash has the wrong length."))
    acquisition = Acquisition.objects.create(
        exhibit=exhibit,
        examiner=examiner,
        tool=tool,
        tool_version=tool_version,
        write_blocker=write_blocker,
        image_format=image_format,
        started_at=started_at,
        ended_at=ended_at,
        md5=md5,
        sha1=sha1,
        sha256=sha256,
        recorded_by=by,
    )
    audit_record(
        actor=by,
        action="acquisition.record",
        target=acquisition,
        ip=ip,
        sha256=acquisition.sha256_hex,
        md5=acquisition.md5_hex,
    )
    return acquisition


def _kind_spellings() -> dict[str, str]:
    spellings = {}
    for value, label in Exhibit.Kind.choices:
        spellings[value] = value
        spellings[str(label).lower()] = value
        spellings[value.replace("_", " ")] = value
    return spellings


def exhibits_bulk_preview(*, search: Search, text: str) -> tuple[list[dict], list[str]]:
    """Parse the CSV and check each row against the dossier; nothing is saved.

    Returns (rows, file_errors) as ``evidence.bulk.parse_exhibits_csv``, with the dossier's checks
    added to each row's errors (seal number already used, parent exhibit unknown).
    """
    rows, file_errors = bulk.parse_exhibits_csv(text, _kind_spellings())
    if file_errors:
        return rows, [_(error) for error in file_errors]
    existing = set(Exhibit.objects.filter(dossier=search.dossier_id).values_list("seal_number", flat=True))
    in_file = {row["values"]["seal_number"] for row in rows}
    for row in rows:
        values = row["values"]
        if values["seal_number"] in existing:
            row["errors"].append(_("This dossier already has an exhibit with this seal number."))
        parent = values["parent_seal"]
        if parent and parent not in existing and parent not in in_file:
            row["errors"].append(
                _("Parent exhibit %(seal)s is neither in this dossier nor in the file.") % {"seal": parent}
            )
    return rows, []


@transaction.atomic
def exhibits_bulk_register(*, search: Search, text: str, by, ip: str | None = None) -> list[Exhibit]:
    """Register every row of the CSV as an exhibit seized during ``search``: all of them, or none.

    Raises ValidationError if any row (or the file) has an error; then nothing is saved.
    """
    rows, file_errors = exhibits_bulk_preview(search=search, text=text)
    errors = file_errors + [f"{row['line']}: {error}" for row in rows for error in row["errors"]]
    if errors:
        raise ValidationError(errors)
    dossier = search.dossier
    exhibits = Exhibit.objects.bulk_create(
        Exhibit(
            dossier=dossier,
            search=search,
            kind=row["values"]["kind"],
            seal_number=row["values"]["seal_number"],
            description=row["values"]["description"],
            make=row["values"]["make"],
            device_model=row["values"]["model"],
            serial_number=row["values"]["serial_number"],
            imei=row["values"]["imei"],
            iccid=row["values"]["iccid"],
            capacity_bytes=row["values"]["capacity_bytes"],
            storage_location=row["values"]["storage_location"],
            created_by=by,
        )
        for row in rows
    )
    by_seal = {exhibit.seal_number: exhibit for exhibit in dossier.exhibits.all()}
    children = []
    for row, exhibit in zip(rows, exhibits, strict=True):
        if row["values"]["parent_seal"]:
            exhibit.parent = by_seal[row["values"]["parent_seal"]]
            children.append(exhibit)
    Exhibit.objects.bulk_update(children, ["parent"])
    created = {exhibit.seal_number: exhibit for exhibit in exhibits}
    audit_record(
        actor=by,
        action="exhibit.bulk_register",
        target=search,
        ip=ip,
        count=len(created),
        seals=sorted(created)[:1000],
    )
    return exhibits


@transaction.atomic
def ingest_job_create_from_uploads(*, exhibit: Exhibit, uploads, by, ip: str | None = None) -> IngestJob:
    """Store uploaded files in the evidence store and queue a job that ingests them.

    A zip archive (recognised by content, not by name) is ingested member by member.
    """
    stored = []
    for upload in uploads:
        blob = store_stream(upload, settings.EVIDENCE_ROOT)
        kind = IngestSource.Kind.ZIP if sources.is_zip(str(blob.path)) else IngestSource.Kind.FILE
        stored.append((kind, blob, os.path.basename(upload.name) or "unnamed"))
    names = ", ".join(name for _, _, name in stored)
    job = IngestJob.objects.create(exhibit=exhibit, source_label=f"upload: {names}"[:500], created_by=by)
    IngestSource.objects.bulk_create(
        IngestSource(job=job, kind=kind, path=str(blob.path), display_name=name) for kind, blob, name in stored
    )
    audit_record(
        actor=by,
        action="ingest.create",
        target=job,
        ip=ip,
        uploads=[{"name": name, "sha256": blob.sha256.hex(), "size": blob.size} for _, blob, name in stored],
    )
    _queue_enumeration(job)
    return job


@transaction.atomic
def ingest_job_create_from_path(*, exhibit: Exhibit, path: Path, by, queue: bool = True) -> IngestJob:
    """Queue a job that reads a folder, a file or a zip archive where it lies on the server."""
    path = path.resolve()
    if path.is_dir():
        kind = IngestSource.Kind.FOLDER
    elif path.is_file():
        kind = IngestSource.Kind.ZIP if sources.is_zip(str(path)) else IngestSource.Kind.FILE
    else:
        raise FileNotFoundError(f"{path} is neither a file nor a folder.")
    job = IngestJob.objects.create(exhibit=exhibit, source_label=str(path)[:500], created_by=by)
    IngestSource.objects.create(job=job, kind=kind, path=str(path), display_name=path.name)
    audit_record(actor=by, action="ingest.create", target=job, path=str(path))
    if queue:
        _queue_enumeration(job)
    return job


def _queue_enumeration(job: IngestJob) -> None:
    from evidence.tasks import ingest_enumerate

    transaction.on_commit(lambda: ingest_enumerate.delay(job.pk))


def ingest_job_enumerate(*, job: IngestJob) -> list[int]:
    """List the job's sources into batches of files; return the ids of the batches to queue.

    Batches hold at most INGEST_BATCH_FILES files and about INGEST_BATCH_BYTES bytes. Runs once:
    a job that is already past enumeration returns its unfinished batches.
    """
    with transaction.atomic():
        job = IngestJob.objects.select_for_update().get(pk=job.pk)
        if job.status != IngestJob.Status.QUEUED:
            return list(job.batches.exclude(status=IngestBatch.Status.DONE).values_list("pk", flat=True))
        job.status = IngestJob.Status.ENUMERATING
        job.started_at = timezone.now()
        job.save(update_fields=["status", "started_at"])
    try:
        with transaction.atomic():
            batch_ids = _enumerate(job)
    except Exception as error:  # noqa: BLE001 - the job must end failed, with its reason, not stay stuck
        log.exception("enumeration of ingest job %s failed", job.pk)
        job.status = IngestJob.Status.FAILED
        job.error = f"Could not list the source: {error}"
        job.finished_at = timezone.now()
        job.save(update_fields=["status", "error", "finished_at"])
        audit_record(actor=None, action="ingest.failed", target=job, error=job.error)
        return []
    if not batch_ids:
        ingest_job_refresh(job=job)
    return batch_ids


def _enumerate(job: IngestJob) -> list[int]:
    batch_ids: list[int] = []
    pending: list[sources.FoundFile] = []
    pending_bytes = 0
    files_total = bytes_total = 0

    def close_batch() -> None:
        nonlocal pending_bytes
        batch = IngestBatch.objects.create(
            job=job, number=len(batch_ids) + 1, files_count=len(pending), bytes_count=pending_bytes
        )
        EvidenceFile.objects.bulk_create(
            EvidenceFile(
                exhibit_id=job.exhibit_id,
                job=job,
                batch=batch,
                path=found.path,
                source_path=found.source_path,
                archive_member=found.member,
                size=found.size,
                triage=EvidenceFile.Triage.ERROR if found.error else EvidenceFile.Triage.PENDING,
                error=found.error,
                processed_at=timezone.now() if found.error else None,
            )
            for found in pending
        )
        batch_ids.append(batch.pk)
        pending.clear()
        pending_bytes = 0

    for source in job.sources.all():
        for found in sources.LISTERS[source.kind](source.path, source.display_name):
            pending.append(found)
            pending_bytes += found.size
            files_total += 1
            bytes_total += found.size
            if len(pending) >= settings.INGEST_BATCH_FILES or pending_bytes >= settings.INGEST_BATCH_BYTES:
                close_batch()
    if pending:
        close_batch()
    job.files_total = files_total
    job.bytes_total = bytes_total
    job.status = IngestJob.Status.RUNNING
    job.save(update_fields=["files_total", "bytes_total", "status"])
    return batch_ids


def ingest_batch_process(*, batch: IngestBatch) -> None:
    """Hash every pending file of the batch in one read each, then match them all in one query.

    Idempotent: a batch run again (its worker was killed) starts its counters over and redoes
    only what was not saved; results are saved in one transaction at the end.
    """
    if batch.status == IngestBatch.Status.DONE:
        return
    now = timezone.now()
    IngestBatch.objects.filter(pk=batch.pk).update(
        status=IngestBatch.Status.RUNNING,
        started_at=now,
        files_done=0,
        bytes_done=0,
        errors=0,
        attempts=batch.attempts + 1,
    )
    files = list(batch.files.all())
    files_done = bytes_done = errors = 0
    last_progress = time.monotonic()
    with sources.Opener() as opener:
        for evidence_file in files:
            if evidence_file.triage == EvidenceFile.Triage.PENDING:
                _hash_one(evidence_file, opener)
            files_done += 1
            bytes_done += evidence_file.size
            errors += bool(evidence_file.error)
            if time.monotonic() - last_progress >= PROGRESS_EVERY_SECONDS:
                IngestBatch.objects.filter(pk=batch.pk).update(
                    files_done=files_done, bytes_done=bytes_done, errors=errors
                )
                last_progress = time.monotonic()
    _match(files)
    with transaction.atomic():
        _save_results(files)
        IngestBatch.objects.filter(pk=batch.pk).update(
            status=IngestBatch.Status.DONE,
            files_done=files_done,
            bytes_done=bytes_done,
            errors=errors,
            finished_at=timezone.now(),
        )
    ingest_job_refresh(job=batch.job)


RESULT_FIELDS = (
    "size",
    "mime",
    "md5",
    "sha1",
    "sha256",
    "triage",
    "match_list_id",
    "match_algorithm",
    "match_category",
    "error",
    "processed_at",
)


def _save_results(files: list[EvidenceFile]) -> None:
    """One UPDATE per file, sent as one executemany (pipelined by psycopg 3).

    Django's bulk_update builds a CASE expression per field and row: it took three quarters of
    a small-files job's time in the benchmark.
    """
    table = EvidenceFile._meta.db_table
    assignments = ", ".join(f"{connection.ops.quote_name(field)} = %s" for field in RESULT_FIELDS)
    rows = [[getattr(f, field) for field in RESULT_FIELDS] + [f.pk] for f in files]
    with connection.cursor() as cursor:
        cursor.executemany(f"UPDATE {table} SET {assignments} WHERE id = %s", rows)  # noqa: S608 - names are ours


def _hash_one(evidence_file: EvidenceFile, opener: sources.Opener) -> None:
    head = bytearray()

    def sniff(block: bytes) -> None:
        if len(head) < filetypes.SNIFF_BYTES:
            head.extend(block[: filetypes.SNIFF_BYTES - len(head)])

    evidence_file.processed_at = timezone.now()
    try:
        with opener.open(evidence_file.source_path, evidence_file.archive_member) as stream:
            digests, size = digest_stream(stream, on_block=sniff)
    except sources.READ_ERRORS as error:
        evidence_file.error = f"unreadable: {error}"
        return
    evidence_file.md5, evidence_file.sha1, evidence_file.sha256 = (digests[name] for name in ALGORITHMS)
    evidence_file.size = size
    evidence_file.mime = filetypes.mime_of(bytes(head))
    if size == 0:
        evidence_file.error = "empty file (0 bytes)"
    elif evidence_file.mime.startswith("image/"):
        try:
            with opener.open(evidence_file.source_path, evidence_file.archive_member) as stream:
                evidence_file.error = filetypes.image_problem(stream)
        except sources.READ_ERRORS as error:
            evidence_file.error = f"unreadable: {error}"


def _match(files: list[EvidenceFile]) -> None:
    wanted: dict[str, set[bytes]] = {name: set() for name in ALGORITHMS}
    for evidence_file in files:
        for name in ALGORITHMS:
            if (digest := getattr(evidence_file, name)) is not None:
                wanted[name].add(bytes(digest))
    found = active_matches(wanted)
    for evidence_file in files:
        if evidence_file.triage != EvidenceFile.Triage.PENDING:
            continue
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
        elif evidence_file.error:
            evidence_file.triage = EvidenceFile.Triage.ERROR
        else:
            evidence_file.triage = EvidenceFile.Triage.NEW


def ingest_job_refresh(*, job: IngestJob) -> IngestJob:
    """Derive the job's state from its batches; the last batch to finish closes the job."""
    with transaction.atomic():
        job = IngestJob.objects.select_for_update().get(pk=job.pk)
        if job.is_finished or job.status != IngestJob.Status.RUNNING:
            return job
        if job.batches.exclude(status=IngestBatch.Status.DONE).exists():
            return job
        job.status = IngestJob.Status.DONE
        job.finished_at = timezone.now()
        job.save(update_fields=["status", "finished_at"])
        errors = job.files.filter(error__gt="").count()
        audit_record(actor=None, action="ingest.done", target=job, files=job.files_total, errors=errors)
    return job
