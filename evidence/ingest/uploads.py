"""Evidence uploaded through the browser: in one request, or in chunks that a browser resumes
after a dropped connection; both end in an ingest job (``evidence.ingest.jobs``)."""

import os

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from audit.services import audit_record
from config.store import FULL, StoreFull, store_file, store_upload
from evidence.ingest import archive_passwords
from evidence.ingest.jobs import queue_enumeration
from evidence.models import ChunkedUpload, Exhibit, IngestJob, IngestSource


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
    queue_enumeration(job)
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
