"""What happens to work a worker gives up on: a batch past its queue's time limit, a batch or a
job's listing stopped by an unexpected error. The job always ends; nothing already found is lost."""

from django.db import transaction
from django.utils import timezone

from audit.models import AuditEvent
from audit.services import audit_record
from config.messages import Message, english, message
from config.store import StoreFull
from config.work_locks import claim
from evidence.ingest.filerows import listing_to_rows
from evidence.ingest.pipeline import ingest_job_refresh
from evidence.models import EvidenceFile, IngestBatch, IngestJob

# An unexpected error's message can be long (a whole SQL statement): kept to this many characters.
REASON_CHARACTERS = 500


def failure_reason(error: BaseException) -> Message:
    """What is recorded of an error no code expected: its type and its own (untranslated) text, shortened."""
    if isinstance(error, StoreFull):
        return message("job.store_full_given_up", detail=error.strerror)
    detail = str(error).strip().splitlines()[0] if str(error).strip() else ""
    if not detail:
        return message("job.unexpected_error_bare", kind=type(error).__name__)
    return message("job.unexpected_error", kind=type(error).__name__, detail=detail[:REASON_CHARACTERS])


def batch_kind(batch: IngestBatch) -> Message:
    """The batch's kind as a message: its label, in the reader's language (``IngestBatch.Kind``)."""
    return message(f"batch.{batch.kind}")


def ingest_job_note(*, job_id: int, note: Message) -> None:
    """Add ``note`` to the job's error lines, under its row's lock (workers note at once)."""
    with transaction.atomic():
        job = IngestJob.objects.select_for_update().only("error").get(pk=job_id)
        job.error = [*job.error_lines, note]
        job.save(update_fields=["error"])


def ingest_batch_give_up(*, batch: IngestBatch, reason: Message) -> list[int]:
    """Close ``batch``: its files not processed yet become errors with ``reason``; the job goes on.

    For an archive or a disk image, what was listed stays and the container records the reason.
    Return the ids of the batches it had created that are not done (a disk image's files listed
    before it stopped), for the caller to queue: they are processed as any others.
    """
    with transaction.atomic():
        now = timezone.now()
        listing_to_rows(batch)  # a listing not written yet: its files become rows first
        batch.files.filter(triage=EvidenceFile.Triage.PENDING).update(
            triage=EvidenceFile.Triage.ERROR, error=reason, processed_at=now
        )
        if batch.container_id:
            container = EvidenceFile.objects.select_for_update().get(pk=batch.container_id)
            stopped = message("job.container_expansion_stopped", kind=batch_kind(batch), reason=reason)
            container.findings = [*container.findings, stopped]
            container.save(update_fields=["findings"])
        if batch.kind == IngestBatch.Kind.OCR:  # no file of its own: the job says what was not read
            ingest_job_note(job_id=batch.job_id, note=message("job.ocr_stopped", reason=reason))
        IngestBatch.objects.filter(pk=batch.pk).update(
            status=IngestBatch.Status.DONE,
            files_done=batch.files.count(),
            errors=batch.files.exclude(error="").count(),
            finished_at=now,
        )
    ingest_job_refresh(job=batch.job)
    return list(batch.children.exclude(status=IngestBatch.Status.DONE).values_list("pk", flat=True))


def ingest_batch_fail(*, batch_id: int, reason: Message) -> list[int]:
    """A worker gave up on the batch (``reason``): record it on the batch's files, its container and
    its job, and close it, so that the job ends when its other batches do.

    Does nothing to a batch that is done, or that another worker runs now (a copy of the message:
    that one finishes it). Returns the ids of batches to queue (``ingest_batch_give_up``).
    """
    batch = IngestBatch.objects.select_related("job", "container").filter(pk=batch_id).first()
    if batch is None or batch.status == IngestBatch.Status.DONE:
        return []
    with claim("ingest_batch", batch.pk) as mine:
        if not mine:
            return []
        batch.refresh_from_db(fields=["status"])
        if batch.status == IngestBatch.Status.DONE:
            return []
        said = {"number": str(batch.number), "kind": batch_kind(batch), "reason": reason}
        if batch.container_id:
            note = message("job.container_batch_failed", path=batch.container.path, **said)
        else:
            note = message("job.batch_failed", **said)
        ingest_job_note(job_id=batch.job_id, note=note)
        # The log keeps the code and its parameters, and the English words for reading.
        audit_record(
            actor=None,
            action="ingest.batch_failed",
            target=batch.job,
            batch=batch.number,
            reason=english(reason),
            reason_message=reason,
        )
        return ingest_batch_give_up(batch=batch, reason=reason)


def ingest_job_fail(*, job_id: int, reason: Message) -> None:
    """The job's listing stopped (``reason``): a job not listed yet ends failed, with the reason.

    A job already listed keeps going with its batches (the reason is noted on it): they end it. Does
    nothing while another worker lists it.
    """
    with claim("ingest_job", job_id) as mine:
        if not mine:
            return
        with transaction.atomic():
            job = IngestJob.objects.select_for_update().filter(pk=job_id).first()
            if job is None or job.is_finished:
                return
            if job.status == IngestJob.Status.RUNNING:
                job.error = [*job.error_lines, message("job.listing_stopped", reason=reason)]
                job.save(update_fields=["error"])
                return
            job.status = IngestJob.Status.FAILED
            job.error = [message("job.not_listed", reason=reason)]
            job.finished_at = timezone.now()
            job.archive_password = None
            job.save(update_fields=["status", "error", "finished_at", "archive_password"])
            audit_record(
                actor=None, action="ingest.failed", target=job, error=job.error_text_english, error_messages=job.error
            )


def ingest_job_store_full(*, batch: IngestBatch, error: StoreFull, retry_in: int) -> int:
    """Record on the job (shown on its page) and in the audit log that ``batch`` found the store full
    and waits for space: nothing of the attempt was kept, it is tried again in ``retry_in`` seconds.
    Returns how many times the job's batches have waited so far."""
    with transaction.atomic():
        job = IngestJob.objects.select_for_update().get(pk=batch.job_id)
        audit_record(actor=None, action="ingest.store_full", target=job, batch=batch.number, error=error.strerror)
        waits = AuditEvent.objects.filter(
            action="ingest.store_full", target_type=job._meta.label_lower, target_id=str(job.pk)
        ).count()
        job.error = [message("job.store_full", waits=waits, seconds=retry_in)]
        job.save(update_fields=["error"])
    return waits


def ingest_batch_interrupted(*, batch_id: int, reason: str) -> None:
    """Audit that the batch's database connection was lost mid-way (it runs again from the start)."""
    batch = IngestBatch.objects.select_related("job").get(pk=batch_id)
    audit_record(actor=None, action="ingest.batch_interrupted", target=batch.job, batch=batch.number, error=reason)


def ingest_job_interrupted(*, job_id: int, reason: str) -> None:
    """Audit that the job's listing lost its database connection (it is listed again from the start)."""
    audit_record(actor=None, action="ingest.listing_interrupted", target=IngestJob.objects.get(pk=job_id), error=reason)
