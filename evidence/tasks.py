from celery import shared_task
from django.db import InterfaceError, OperationalError

from evidence.models import IngestBatch, IngestJob
from evidence.pipeline import ingest_batch_process, ingest_job_enumerate

# Retried only for a lost database connection; anything else is recorded on the job.
RETRY_ON = (OperationalError, InterfaceError)


@shared_task(autoretry_for=RETRY_ON, retry_backoff=True, max_retries=5, acks_late=True)
def ingest_enumerate(job_id: int) -> None:
    for batch_id in ingest_job_enumerate(job=IngestJob.objects.get(pk=job_id)):
        ingest_batch.delay(batch_id)


@shared_task(bind=True, autoretry_for=RETRY_ON, retry_backoff=True, max_retries=5, acks_late=True)
def ingest_batch(self, batch_id: int) -> None:
    batch = IngestBatch.objects.select_related("job", "container").get(pk=batch_id)
    for archive_batch_id in ingest_batch_process(batch=batch, worker=self.request.hostname or ""):
        ingest_batch.delay(archive_batch_id)
