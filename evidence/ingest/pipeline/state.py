"""An ingest job's state, derived from its batches; new batches for what is found on the way."""

import logging

from django.db import DatabaseError, IntegrityError, connection, transaction
from django.db.models import Max
from django.utils import timezone

from audit.services import audit_record
from evidence.ingest import filetypes
from evidence.models import EvidenceFile, IngestBatch, IngestJob, TriageCount

log = logging.getLogger(__name__)


def job_cancelled(job_id: int) -> bool:
    return IngestJob.objects.filter(pk=job_id, status=IngestJob.Status.CANCELLED).exists()


def compact_counts(exhibit_id: int) -> None:
    """Fold the exhibit's kept totals now and then (each saved file appends two rows to TriageCount),
    so that the pages sum a handful of rows."""
    if connection.vendor != "postgresql":
        return
    try:
        with transaction.atomic():
            TriageCount.objects.compact([exhibit_id])
    except DatabaseError:  # another worker folding the same rows at the same moment: theirs will do
        log.info("totals of exhibit %s not folded this time", exhibit_id)


# How many times a batch number taken by another worker at the same moment is taken again.
NUMBER_ATTEMPTS = 100


def ingest_batch_create(*, job: IngestJob, kind: str, **values) -> IngestBatch:
    """The job's next batch, numbered after its highest: the one place a batch gets its number.

    Two workers may add batches to one job at the same moment (two disk images of a folder expanded
    side by side): both see the same highest number. The unique constraint decides: the later insert
    waits for the earlier transaction, fails when that one commits, and takes the next number (its
    savepoint is rolled back, the caller's transaction goes on). No lock is held on the job: its
    listing keeps its transaction open for long, and a cancel must not wait for it.
    """
    for _attempt in range(NUMBER_ATTEMPTS):
        last = IngestBatch.objects.filter(job_id=job.pk).aggregate(last=Max("number"))["last"] or 0
        try:
            with transaction.atomic():
                return IngestBatch.objects.create(job_id=job.pk, number=last + 1, kind=kind, **values)
        except IntegrityError:
            if not IngestBatch.objects.filter(job_id=job.pk, number=last + 1).exists():
                raise  # another constraint than the number's
    raise IntegrityError(f"no free batch number for ingest job {job.pk} after {NUMBER_ATTEMPTS} attempts")


def expansion_batch_create(job: IngestJob, container: EvidenceFile, kind: str, parent=None) -> IngestBatch:
    """A batch that walks ``container`` (an archive, a disk image, a chat export) or reads its files."""
    return ingest_batch_create(job=job, kind=kind, container=container, bytes_count=container.size, parent=parent)


def ingest_job_refresh(*, job: IngestJob) -> IngestJob:
    """Derive the job's state from its batches; the last batch to finish closes the job.

    A batch that is not the last sees another batch not done, with one query and no lock. Each batch
    asks after committing its own state, so of the last two to finish at least the later one sees
    both done; the job is then locked and checked again (two may close it at once: one does).
    """
    if job.batches.exclude(status=IngestBatch.Status.DONE).exists():
        return job
    with transaction.atomic():
        job = IngestJob.objects.select_for_update().get(pk=job.pk)
        if job.is_finished or job.status != IngestJob.Status.RUNNING:
            return job
        if job.batches.exclude(status=IngestBatch.Status.DONE).exists():
            return job
        job.status = IngestJob.Status.DONE
        job.finished_at = timezone.now()
        job.archive_password = None  # its archives are walked: the password goes
        job.save(update_fields=["status", "finished_at", "archive_password"])
        errors = job.files.exclude(error="").count()
        audit_record(actor=None, action="ingest.done", target=job, files=job.files_total, errors=errors)
    return job


def batch_kind_of(path: str) -> str:
    """Images and videos (by name) go to batches of their own, which the `media` queue takes."""
    return IngestBatch.Kind.MEDIA if filetypes.is_media_name(path) else IngestBatch.Kind.FILES
