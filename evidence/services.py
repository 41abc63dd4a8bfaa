import os
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from audit.services import audit_record
from cases.models import Dossier
from evidence.models import Exhibit, IngestJob, IngestSource
from evidence.store import store_stream


@transaction.atomic
def exhibit_register(
    *, dossier: Dossier, kind: str, seal_number: str, description: str = "", by, ip: str | None = None
) -> Exhibit:
    exhibit = Exhibit.objects.create(
        dossier=dossier, kind=kind, seal_number=seal_number, description=description, created_by=by
    )
    audit_record(actor=by, action="exhibit.register", target=exhibit, ip=ip)
    return exhibit


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
