"""What happens to a batch that a worker gives up on (its queue's time limit ran out)."""

from django.db import transaction
from django.utils import timezone

from evidence.filerows import listing_to_rows
from evidence.models import EvidenceFile, IngestBatch
from evidence.pipeline import ingest_job_refresh


def ingest_batch_give_up(*, batch: IngestBatch, reason: str) -> None:
    """Close ``batch``: its files not processed yet become errors with ``reason``; the job goes on.

    For an archive or a disk image, what was listed stays and the container records the reason.
    """
    with transaction.atomic():
        now = timezone.now()
        listing_to_rows(batch)  # a listing not written yet: its files become rows first
        batch.files.filter(triage=EvidenceFile.Triage.PENDING).update(
            triage=EvidenceFile.Triage.ERROR, error=reason, processed_at=now
        )
        if batch.container_id:
            container = EvidenceFile.objects.select_for_update().get(pk=batch.container_id)
            container.findings = [*container.findings, f"{batch.get_kind_display()}: {reason}"]
            container.save(update_fields=["findings"])
        IngestBatch.objects.filter(pk=batch.pk).update(
            status=IngestBatch.Status.DONE,
            files_done=batch.files.count(),
            errors=batch.files.exclude(error="").count(),
            finished_at=now,
        )
    ingest_job_refresh(job=batch.job)
