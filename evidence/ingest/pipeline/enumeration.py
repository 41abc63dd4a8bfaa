"""Listing a job's sources into batches of files, once, before any file is read."""

import logging

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from audit.services import audit_record
from config.database import connection_lost
from config.messages import message
from config.work_locks import claim
from evidence.ingest import sources
from evidence.ingest.filerows import batch_files_add
from evidence.ingest.pipeline.state import (
    batch_kind_of,
    expansion_batch_create,
    ingest_batch_create,
    ingest_job_refresh,
)
from evidence.models import EvidenceFile, IngestBatch, IngestJob

log = logging.getLogger(__name__)


def ingest_job_enumerate(*, job: IngestJob) -> list[int]:
    """List the job's sources into batches of files; return the ids of the batches to queue.

    Batches hold at most INGEST_BATCH_FILES files and about INGEST_BATCH_BYTES bytes. Runs once:
    a job that is already past enumeration returns its unfinished batches; a job being listed by
    another worker returns none.
    """
    with claim("ingest_job", job.pk) as mine:
        if not mine:
            return []  # another worker is listing it now
        return _enumerate_claimed(job)


def _enumerate_claimed(job: IngestJob) -> list[int]:
    with transaction.atomic():
        job = IngestJob.objects.select_for_update().get(pk=job.pk)
        # ENUMERATING here means that the worker listing it died: its batches were rolled back.
        if job.status not in (IngestJob.Status.QUEUED, IngestJob.Status.ENUMERATING):
            return list(job.batches.exclude(status=IngestBatch.Status.DONE).values_list("pk", flat=True))
        job.status = IngestJob.Status.ENUMERATING
        job.started_at = timezone.now()
        job.save(update_fields=["status", "started_at"])
    try:
        with transaction.atomic():
            batch_ids = _enumerate(job)
    except Exception as error:  # noqa: BLE001 - the job must end failed, with its reason, not stay stuck
        if connection_lost(error):
            # A database restart is not the source's fault: nothing of the listing was committed,
            # and the task lists it again (evidence.tasks), rather than failing the job for good
            # (as it would if the database were back by the time the failure is saved).
            raise
        log.exception("enumeration of ingest job %s failed", job.pk)
        job.status = IngestJob.Status.FAILED
        job.error = [message("job.not_listed", reason=str(error))]
        job.finished_at = timezone.now()
        job.archive_password = None
        job.save(update_fields=["status", "error", "finished_at", "archive_password"])
        audit_record(
            actor=None, action="ingest.failed", target=job, error=job.error_text_english, error_messages=job.error
        )
        return []
    if not batch_ids:
        ingest_job_refresh(job=job)
    return batch_ids


CHAT_EXPORT = "result.json"


def _row_now(found: sources.FoundFile, now) -> dict | None:
    """The values of a file whose row is written at listing (an error, a disk image to expand, a
    chat export), or None for a file written once with its results."""
    if not (found.error or found.expand or found.path.rsplit("/", 1)[-1] == CHAT_EXPORT):
        return None
    if found.error:
        return {"triage": EvidenceFile.Triage.ERROR, "error": found.error, "processed_at": now}
    return {"triage": EvidenceFile.Triage.PENDING}


def _enumerate(job: IngestJob) -> list[int]:
    batch_ids: list[int] = []
    # One batch filling per kind, so that media work can run on hosts of its own.
    filling: dict[str, tuple[list[sources.FoundFile], list[int]]] = {
        kind: ([], [0]) for kind in (IngestBatch.Kind.FILES, IngestBatch.Kind.MEDIA)
    }
    files_total = bytes_total = 0

    def close_batch(kind: str) -> None:
        pending, pending_bytes = filling[kind]
        batch_ids.extend(_listed_batch_create(job, kind, pending, pending_bytes[0]))
        pending.clear()
        pending_bytes[0] = 0

    most_files, most_bytes = settings.INGEST_BATCH_FILES, settings.INGEST_BATCH_BYTES
    for source in job.sources.all():
        for found in sources.LISTERS[source.kind](source.path, source.display_name):
            kind = batch_kind_of(found.path)
            pending, pending_bytes = filling[kind]
            pending.append(found)
            pending_bytes[0] += found.size
            files_total += 1
            bytes_total += found.size
            if len(pending) >= most_files or pending_bytes[0] >= most_bytes:
                close_batch(kind)
    for kind, (pending, _bytes) in filling.items():
        if pending:
            close_batch(kind)
    batch_ids.extend(_chat_export_batches(job))
    _enumeration_end(job, files_total, bytes_total)
    return batch_ids


def _listed_batch_create(job: IngestJob, kind: str, pending: list[sources.FoundFile], pending_bytes: int) -> list[int]:
    """A batch of the ``pending`` files listed; return its id, then those of the disk images among
    them, each expanded by a batch of its own."""
    batch = ingest_batch_create(job=job, kind=kind, files_count=len(pending), bytes_count=pending_bytes)
    now = timezone.now()
    # Most files go to the batch's listing, to be written once with their results; a file with
    # an error, a disk image to expand and a chat export get their rows now.
    files = [
        (
            {
                "path": found.path,
                "source_path": found.source_path,
                "size": found.size,
                "inode": found.inode,
                "modified_time": found.modified,
                "accessed_time": found.accessed,
            },
            _row_now(found, now),
        )
        for found in pending
    ]
    written = batch_files_add(batch, job.exhibit_id, files, {})
    batch_ids = [batch.pk]
    rows_now = [found for found, (_values, row) in zip(pending, files, strict=True) if row is not None]
    for found, pk in zip(rows_now, written, strict=True):
        if found.expand == "image":
            record = EvidenceFile.objects.get(pk=pk)
            batch_ids.append(expansion_batch_create(job, record, IngestBatch.Kind.IMAGE).pk)
    return batch_ids


def _chat_export_batches(job: IngestJob) -> list[int]:
    """A chat export (Telegram's result.json) among the files: its messages are read by a batch of its own."""
    exports = job.files.filter(Q(path=CHAT_EXPORT) | Q(path__endswith=f"/{CHAT_EXPORT}"), container=None, error="")
    return [expansion_batch_create(job, export, IngestBatch.Kind.CHAT).pk for export in exports]


def _enumeration_end(job: IngestJob, files_total: int, bytes_total: int) -> None:
    job.files_total = files_total
    job.bytes_total = bytes_total
    # A cancel made while the folder was being listed stands: it committed while this transaction was
    # open (the job's row was not locked meanwhile). The batches are still handed out: each one, seeing
    # its job cancelled, turns its listing into pending rows, as a cancel does for batches it finds.
    cancelled = IngestJob.objects.select_for_update().filter(pk=job.pk, status=IngestJob.Status.CANCELLED).exists()
    job.status = IngestJob.Status.CANCELLED if cancelled else IngestJob.Status.RUNNING
    job.save(update_fields=["files_total", "bytes_total", "status"])
