import os
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from audit.services import audit_record
from config.messages import message
from config.store import FULL, StoreFull, store_file, store_upload
from config.work_locks import is_claimed
from evidence.ingest import archive_passwords
from evidence.ingest.pipeline import ingest_job_refresh
from evidence.models import (
    BatchListing,
    ChunkedUpload,
    EvidenceFile,
    Exhibit,
    IngestBatch,
    IngestJob,
    IngestSource,
)
from evidence.triage.matching import match_files


def ingest_job_create_from_uploads(
    *, exhibit: Exhibit, uploads, by, ip: str | None = None, archive_password: str = ""
) -> IngestJob:
    """Store uploaded files in the evidence store and queue a job that ingests them.

    An archive among them (recognised by content, not by name) is then walked member by member;
    ``archive_password`` opens its encrypted members (kept encrypted until the job ends). A full store
    raises StoreFull, audited, with no job and no partial copy left.
    """
    try:
        return _ingest_job_create_from_uploads(
            exhibit=exhibit, uploads=uploads, by=by, ip=ip, archive_password=archive_password
        )
    except StoreFull as error:
        store_full_record(by=by, ip=ip, target=exhibit, where="upload", error=error)
        raise


def store_full_record(*, by, ip, target, where: str, error: OSError, **detail) -> None:
    """Audit a refusal for want of space (its own transaction: it outlives the refusal's rollback)."""
    audit_record(actor=by, action="store.full", target=target, ip=ip, where=where, error=str(error), **detail)


@transaction.atomic
def _ingest_job_create_from_uploads(*, exhibit, uploads, by, ip, archive_password) -> IngestJob:
    stored = []
    for upload in uploads:
        blob = store_upload(upload)
        stored.append((blob, _upload_name(upload.name)))
    return _ingest_job_from_blobs(exhibit=exhibit, stored=stored, by=by, ip=ip, archive_password=archive_password)


def _upload_name(name: str) -> str:
    # The browser's file name is only a label: no path of it is ever used on the server.
    return (os.path.basename(name.replace("\\", "/")) or "unnamed")[:255]


def _ingest_job_from_blobs(*, exhibit, stored, by, ip, archive_password: str, **audit_detail) -> IngestJob:
    names = ", ".join(name for _blob, name in stored)
    job = IngestJob.objects.create(
        exhibit=exhibit,
        source_label=f"upload: {names}"[:500],
        created_by=by,
        archive_password=archive_passwords.encrypt(archive_password) if archive_password else None,
    )
    IngestSource.objects.bulk_create(
        IngestSource(job=job, kind=IngestSource.Kind.FILE, path=blob.source, display_name=name) for blob, name in stored
    )
    audit_record(
        actor=by,
        action="ingest.create",
        target=job,
        ip=ip,
        uploads=[{"name": name, "sha256": blob.sha256.hex(), "size": blob.size} for blob, name in stored],
        archive_password_given=bool(archive_password),
        **audit_detail,
    )
    _queue_enumeration(job)
    return job


STORE_FULL_MESSAGE = _lazy("The evidence store is full: nothing of this was kept. Try again once space has been freed.")


class UploadRefused(Exception):
    """A chunked upload or one of its chunks is refused; ``received`` tells the browser where to go on."""

    def __init__(self, message: str, *, received: int | None = None, status: int = 400):
        super().__init__(message)
        self.received, self.status = received, status


def chunked_upload_start(*, exhibit: Exhibit, name: str, size: int, by, ip: str | None = None) -> ChunkedUpload:
    """Open a chunked upload of ``size`` bytes, within the per-file and per-user limits.

    A refusal is audited (in its own transaction: it must outlive the refusal) and raised.
    """
    unfinished = ChunkedUpload.objects.filter(created_by=by, status=ChunkedUpload.Status.OPEN)
    pending = sum(unfinished.values_list("size", flat=True))
    reason = ""
    if size < 0:
        reason = _("A file cannot have a negative size.")
    elif size > settings.UPLOAD_FILE_MAX_BYTES:
        reason = _("This file is larger than the largest upload allowed (%(limit)s bytes).") % {
            "limit": f"{settings.UPLOAD_FILE_MAX_BYTES:,}"
        }
    elif pending + size > settings.UPLOAD_TOTAL_MAX_BYTES:
        reason = _("Your unfinished uploads would exceed %(limit)s bytes: finish or abandon them first.") % {
            "limit": f"{settings.UPLOAD_TOTAL_MAX_BYTES:,}"
        }
    if reason:
        audit_record(
            actor=by, action="upload.refused", target=exhibit, ip=ip, name=name[:255], size=size, reason=reason
        )
        raise UploadRefused(reason, status=413 if size > 0 else 400)
    with transaction.atomic():
        upload = ChunkedUpload.objects.create(exhibit=exhibit, name=_upload_name(name), size=size, created_by=by)
        settings.UPLOAD_TEMP_ROOT.mkdir(parents=True, exist_ok=True)
        upload.temporary_path.touch(mode=0o600)
        audit_record(actor=by, action="upload.start", target=upload, ip=ip, name=upload.name, size=size)
    return upload


def chunked_upload_append(*, upload: ChunkedUpload, offset: int, stream, length: int, ip: str | None = None) -> int:
    """Append one chunk of ``length`` bytes read from ``stream`` at ``offset``; return the new offset.

    Only the next chunk is taken: any other offset is refused with the offset received so far, so
    that a browser resuming after a dropped connection goes on from there. The file is cut back to
    what the database says was received first, so a chunk half-written by a crash is written again.
    A full upload folder refuses the chunk (507, audited) with the offset to go on from later.
    """
    try:
        return _chunked_upload_append(upload=upload, offset=offset, stream=stream, length=length)
    except UploadRefused as refusal:
        if refusal.status == 507:
            received = refusal.received
            store_full_record(
                by=upload.created_by, ip=ip, target=upload, where="upload chunk", error=refusal, received=received
            )
        raise


@transaction.atomic
def _chunked_upload_append(*, upload: ChunkedUpload, offset: int, stream, length: int) -> int:
    upload = ChunkedUpload.objects.select_for_update().get(pk=upload.pk)
    if upload.status != ChunkedUpload.Status.OPEN:
        raise UploadRefused(_("This upload is already finished."), received=upload.received, status=409)
    if offset != upload.received:
        raise UploadRefused(
            _("Chunk at byte %(offset)s, but %(received)s bytes were received: go on from there.")
            % {"offset": f"{offset:,}", "received": f"{upload.received:,}"},
            received=upload.received,
            status=409,
        )
    if length <= 0 or length > settings.UPLOAD_CHUNK_BYTES:
        raise UploadRefused(
            _("A chunk holds 1 to %(limit)s bytes.") % {"limit": f"{settings.UPLOAD_CHUNK_BYTES:,}"},
            received=upload.received,
        )
    if upload.received + length > upload.size:
        raise UploadRefused(_("This chunk goes past the size announced for the file."), received=upload.received)
    written = 0
    with upload.temporary_path.open("r+b") as out:
        out.truncate(upload.received)
        out.seek(upload.received)
        try:
            while written < length and (block := stream.read(min(1 << 20, length - written))):
                out.write(block)
                written += len(block)
            out.flush()
            os.fsync(out.fileno())
        except OSError as error:
            if error.errno not in FULL:
                raise
            out.truncate(upload.received)  # what the database says was received, and no more
            raise UploadRefused(STORE_FULL_MESSAGE, received=upload.received, status=507) from error
        if written != length:
            out.truncate(upload.received)
            raise UploadRefused(_("The chunk arrived incomplete: send it again."), received=upload.received)
    upload.received += written
    upload.save(update_fields=["received", "updated_at"])
    return upload.received


def chunked_uploads_abandon(*, idle_hours: float, by=None) -> int:
    """Abandon the unfinished uploads that received nothing for ``idle_hours``: their chunks are deleted.

    Returns how many were abandoned; each is audited with what it had received.
    """
    cutoff = timezone.now() - timezone.timedelta(hours=idle_hours)
    count = 0
    for upload in ChunkedUpload.objects.filter(status=ChunkedUpload.Status.OPEN, updated_at__lt=cutoff):
        with transaction.atomic():
            upload.status = ChunkedUpload.Status.ABANDONED
            upload.save(update_fields=["status", "updated_at"])
            upload.temporary_path.unlink(missing_ok=True)
            audit_record(
                actor=by,
                action="upload.abandon",
                target=upload,
                name=upload.name,
                size=upload.size,
                received=upload.received,
            )
        count += 1
    return count


def ingest_job_create_from_chunked(
    *, exhibit: Exhibit, uploads: list[ChunkedUpload], by, ip: str | None = None, archive_password: str = ""
) -> IngestJob:
    """Hash the complete chunked uploads here, move them into the evidence store, and ingest them as one job.

    A full store refuses them all (507, audited): each upload stays complete, to be finished again later.
    """
    try:
        return _ingest_job_create_from_chunked(
            exhibit=exhibit, uploads=uploads, by=by, ip=ip, archive_password=archive_password
        )
    except StoreFull as error:
        store_full_record(by=by, ip=ip, target=exhibit, where="upload finish", error=error)
        raise UploadRefused(STORE_FULL_MESSAGE, status=507) from error


@transaction.atomic
def _ingest_job_create_from_chunked(*, exhibit, uploads, by, ip, archive_password) -> IngestJob:
    unique = {upload.pk: upload for upload in uploads}  # an id listed twice is one file
    locked = [ChunkedUpload.objects.select_for_update().get(pk=pk) for pk in unique]
    # All are checked before any is moved: a refusal leaves every upload as it was, resumable.
    for upload in locked:
        if upload.status != ChunkedUpload.Status.OPEN or upload.exhibit_id != exhibit.pk:
            raise UploadRefused(_("This upload is already finished."), received=upload.received, status=409)
        if upload.received != upload.size:
            raise UploadRefused(
                _("%(name)s is incomplete: %(received)s of %(size)s bytes received.")
                % {"name": upload.name, "received": f"{upload.received:,}", "size": f"{upload.size:,}"},
                received=upload.received,
                status=409,
            )
    stored = []
    for upload in locked:
        blob = store_file(upload.temporary_path)
        upload.status, upload.sha256 = ChunkedUpload.Status.STORED, blob.sha256
        stored.append((upload, blob))
    job = _ingest_job_from_blobs(
        exhibit=exhibit,
        stored=[(blob, upload.name) for upload, blob in stored],
        by=by,
        ip=ip,
        archive_password=archive_password,
        chunked=True,
    )
    for upload, _blob in stored:
        upload.job = job
        upload.save(update_fields=["status", "sha256", "job", "updated_at"])
    # Only once the job is committed: until then a failure (a full store) leaves every upload whole.
    paths = [upload.temporary_path for upload in locked]
    transaction.on_commit(lambda: [path.unlink(missing_ok=True) for path in paths])
    return job


@transaction.atomic
def ingest_job_create_from_path(
    *, exhibit: Exhibit, path: Path, by, queue: bool = True, archive_password: str = "", ip: str | None = None
) -> IngestJob:
    """Queue a job that reads a folder or a file (an archive is walked) where it lies on the server.

    ``archive_password`` opens the encrypted archives found there (kept encrypted until the job ends).
    """
    path = path.resolve()
    if path.is_dir():
        kind = IngestSource.Kind.FOLDER
    elif path.is_file():
        kind = IngestSource.Kind.FILE
    else:
        raise FileNotFoundError(f"{path} is neither a file nor a folder.")
    job = IngestJob.objects.create(
        exhibit=exhibit,
        source_label=str(path)[:500],
        created_by=by,
        archive_password=archive_passwords.encrypt(archive_password) if archive_password else None,
    )
    IngestSource.objects.create(job=job, kind=kind, path=str(path), display_name=path.name)
    audit_record(
        actor=by,
        action="ingest.create",
        target=job,
        ip=ip,
        path=str(path),
        archive_password_given=bool(archive_password),
    )
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
            error=message("file.empty") if item["size"] == 0 else "",
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

    What was already hashed stays; files not reached stay pending: each batch with a listing is
    queued once more, and turns its listing into pending rows (``listing_to_rows``), even one whose
    message is gone (a process killed at the hard time limit is not given its batch again).
    """
    from evidence.tasks import queue_batches

    job = IngestJob.objects.select_for_update().get(pk=job.pk)
    if job.is_finished:
        return job
    job.status = IngestJob.Status.CANCELLED
    job.finished_at = timezone.now()
    job.archive_password = None
    job.save(update_fields=["status", "finished_at", "archive_password"])
    audit_record(actor=by, action="ingest.cancel", target=job, ip=ip)
    listed = list(BatchListing.objects.filter(batch__job=job).values_list("batch_id", flat=True))
    if listed:
        transaction.on_commit(lambda: queue_batches(listed))
    return job


def ingest_jobs_resume(*, by=None, queued_before=None) -> dict[str, int]:
    """Queue again the work of every unfinished job: its listing, or its batches not done.
    ``queued_before`` (a datetime): a job not yet listed and created after it is left alone, as
    its first message may still be on its way (evidence.ingest.resume, beat's round).

    For a broker that lost its messages (Redis restarted without persistence): nothing in the
    database says a message is missing, so everything unfinished is queued again. A copy of work
    that is in fact still queued or running does nothing: a batch is run by one worker at a time
    (config.work_locks) and a finished one is skipped; no file is hashed into two rows, since a batch
    writes its listed files' rows in the transaction that marks it done (or that drops its listing,
    evidence.models.BatchListing). Returns how many jobs and batches were queued.
    """
    from evidence.tasks import ingest_enumerate, queue_batches

    unfinished = (IngestJob.Status.QUEUED, IngestJob.Status.ENUMERATING, IngestJob.Status.RUNNING)
    jobs = batches = 0
    for job in IngestJob.objects.filter(status__in=unfinished).order_by("pk"):
        if job.status == IngestJob.Status.RUNNING:
            pending = (
                job.batches.exclude(status=IngestBatch.Status.DONE).order_by("number").values_list("pk", flat=True)
            )
            if not pending:
                # Its last batch finished, and its worker died before closing the job: close it now.
                ingest_job_refresh(job=job)
                continue
            pending = [pk for pk in pending if not is_claimed("ingest_batch", pk)]
            queue_batches(pending)  # each to its kind's task and queue: images and videos to `media`
            batches += len(pending)
            jobs += bool(pending)
        elif queued_before is not None and job.created_at > queued_before:
            continue
        elif not is_claimed("ingest_job", job.pk):
            ingest_enumerate.delay(job.pk)
            jobs += 1
    if jobs:
        audit_record(actor=by, action="ingest.resume", jobs=jobs, batches=batches)
    return {"jobs": jobs, "batches": batches}
