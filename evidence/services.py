import os
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import audit_record
from cases.models import Dossier, Search
from evidence import bulk, custody
from evidence.models import Acquisition, CustodyEvent, EvidenceFile, Exhibit, IngestBatch, IngestJob, IngestSource
from evidence.store import store_stream

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

    An archive among them (recognised by content, not by name) is then walked member by member.
    """
    stored = []
    for upload in uploads:
        blob = store_stream(upload, settings.EVIDENCE_ROOT)
        # The browser's file name is only a label: no path of it is ever used on the server.
        name = os.path.basename(upload.name.replace("\\", "/")) or "unnamed"
        stored.append((IngestSource.Kind.FILE, blob, name[:255]))
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
    """Queue a job that reads a folder or a file (an archive is walked) where it lies on the server."""
    path = path.resolve()
    if path.is_dir():
        kind = IngestSource.Kind.FOLDER
    elif path.is_file():
        kind = IngestSource.Kind.FILE
    else:
        raise FileNotFoundError(f"{path} is neither a file nor a folder.")
    job = IngestJob.objects.create(exhibit=exhibit, source_label=str(path)[:500], created_by=by)
    IngestSource.objects.create(job=job, kind=kind, path=str(path), display_name=path.name)
    audit_record(actor=by, action="ingest.create", target=job, path=str(path))
    if queue:
        _queue_enumeration(job)
    return job


@transaction.atomic
def ingest_job_create_from_hashes(*, exhibit: Exhibit, files: list[dict], by, ip: str | None = None) -> IngestJob:
    """Record files hashed elsewhere (a forensic workstation that cannot upload the media).

    ``files``: dicts with ``path`` and ``size`` (bytes), and ``md5``, ``sha1``, ``sha256``, ``phash``,
    ``pdq`` as digests (bytes) where known. One finished job with one batch; every file is matched
    against the active lists at once, so each comes back with its triage.
    """
    from hashing.matching import match_files

    now = timezone.now()
    size = sum(item["size"] for item in files)
    job = IngestJob.objects.create(
        exhibit=exhibit,
        source_label=f"hashes submitted: {len(files)} files",
        status=IngestJob.Status.DONE,
        files_total=len(files),
        bytes_total=size,
        created_by=by,
        started_at=now,
        finished_at=now,
    )
    batch = IngestBatch.objects.create(
        job=job,
        number=1,
        status=IngestBatch.Status.DONE,
        files_count=len(files),
        bytes_count=size,
        files_done=len(files),
        bytes_done=size,
        started_at=now,
        finished_at=now,
    )
    records = [
        EvidenceFile(
            exhibit=exhibit,
            job=job,
            batch=batch,
            path=item["path"],
            # Nothing of it is on this server: there is no source to read again.
            source_path="",
            size=item["size"],
            md5=item.get("md5"),
            sha1=item.get("sha1"),
            sha256=item.get("sha256"),
            phash=item.get("phash"),
            pdq=item.get("pdq"),
            error="empty file (0 bytes)" if item["size"] == 0 else "",
            processed_at=now,
        )
        for item in files
    ]
    match_files(records)
    records = EvidenceFile.objects.bulk_create(records)
    errors = sum(1 for record in records if record.error)
    IngestBatch.objects.filter(pk=batch.pk).update(errors=errors)
    audit_record(actor=by, action="ingest.hashes", target=job, ip=ip, files=len(records), bytes=size)
    return job


def ingest_path_refuse(*, exhibit: Exhibit, by, root, path: str, reason: str, ip: str | None = None) -> None:
    """Record an attempt to ingest from a path outside the evidence sources (a probe, or a mistake)."""
    audit_record(
        actor=by, action="ingest.refused_path", target=exhibit, ip=ip, root=str(root), path=path[:500], reason=reason
    )


def _queue_enumeration(job: IngestJob) -> None:
    from evidence.tasks import ingest_enumerate

    transaction.on_commit(lambda: ingest_enumerate.delay(job.pk))


@transaction.atomic
def ingest_job_cancel(*, job: IngestJob, by, ip: str | None = None) -> IngestJob:
    """Stop a job: batches not started are skipped, running ones stop at their next check.

    What was already hashed stays; files not reached stay pending.
    """
    job = IngestJob.objects.select_for_update().get(pk=job.pk)
    if job.is_finished:
        return job
    job.status = IngestJob.Status.CANCELLED
    job.finished_at = timezone.now()
    job.save(update_fields=["status", "finished_at"])
    audit_record(actor=by, action="ingest.cancel", target=job, ip=ip)
    return job


def ingest_jobs_resume(*, by=None) -> dict[str, int]:
    """Queue again the work of every unfinished job: its listing, or its batches not done.

    For a broker that lost its messages (Redis restarted without persistence): nothing in the
    database says a message is missing, so everything unfinished is queued again. A copy of work
    that is in fact still queued or running does nothing: a batch is run by one worker at a time
    (config.claims) and a finished one is skipped; no file is hashed into two rows, since every
    file's row exists from the listing on. Returns how many jobs and batches were queued.
    """
    from config.claims import is_claimed
    from evidence.tasks import ingest_batch, ingest_enumerate

    unfinished = (IngestJob.Status.QUEUED, IngestJob.Status.ENUMERATING, IngestJob.Status.RUNNING)
    jobs = batches = 0
    for job in IngestJob.objects.filter(status__in=unfinished).order_by("pk"):
        if job.status == IngestJob.Status.RUNNING:
            pending = (
                job.batches.exclude(status=IngestBatch.Status.DONE).order_by("number").values_list("pk", flat=True)
            )
            pending = [pk for pk in pending if not is_claimed("ingest_batch", pk)]
            for batch_id in pending:
                ingest_batch.delay(batch_id)
            batches += len(pending)
            jobs += bool(pending)
        elif not is_claimed("ingest_job", job.pk):
            ingest_enumerate.delay(job.pk)
            jobs += 1
    if jobs:
        audit_record(actor=by, action="ingest.resume", jobs=jobs, batches=batches)
    return {"jobs": jobs, "batches": batches}
