"""Ingest jobs made from what lies on the server or was hashed elsewhere, queued and cancelled.

Uploaded files make their jobs in ``evidence.ingest.uploads``; lost work is queued again by
``evidence.ingest.resume``.
"""

from pathlib import Path

from django.db import transaction
from django.utils import timezone

from audit.services import audit_record
from config.messages import message
from evidence.ingest import archive_passwords
from evidence.models import BatchListing, EvidenceFile, Exhibit, IngestBatch, IngestJob, IngestSource
from evidence.triage.matching import match_files


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
        queue_enumeration(job)
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


def queue_enumeration(job: IngestJob) -> None:
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
