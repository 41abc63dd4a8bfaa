from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.db import InterfaceError, OperationalError

from evidence.batches import ingest_batch_give_up
from evidence.models import IngestBatch, IngestJob
from evidence.pipeline import ingest_batch_process, ingest_job_enumerate

# Retried only for a lost database connection; anything else is recorded on the job.
RETRY_ON = (OperationalError, InterfaceError)


@shared_task(autoretry_for=RETRY_ON, retry_backoff=True, max_retries=5, acks_late=True)
def ingest_enumerate(job_id: int) -> None:
    queue_batches(ingest_job_enumerate(job=IngestJob.objects.get(pk=job_id)))


def _process(task, batch_id: int) -> None:
    batch = IngestBatch.objects.select_related("job", "container").get(pk=batch_id)
    try:
        created = ingest_batch_process(batch=batch, worker=task.request.hostname or "")
    except SoftTimeLimitExceeded:
        # The queue's time limit (deploy/README.md): what the batch had not done is recorded as
        # not processed, with the reason, and the job goes on.
        ingest_batch_give_up(batch=batch, reason="not processed within the worker's time limit")
        return
    queue_batches(created)


@shared_task(bind=True, autoretry_for=RETRY_ON, retry_backoff=True, max_retries=5, acks_late=True)
def ingest_batch(self, batch_id: int) -> None:
    """A batch of files, an archive or a disk image: on the `ingest` queue (CELERY_TASK_ROUTES)."""
    _process(self, batch_id)


@shared_task(bind=True, autoretry_for=RETRY_ON, retry_backoff=True, max_retries=5, acks_late=True)
def ingest_media_batch(self, batch_id: int) -> None:
    """A batch of images and videos (perceptual hashes, thumbnails, keyframes): on the `media` queue."""
    _process(self, batch_id)


def queue_batches(batch_ids: list[int]) -> None:
    """Send each batch to the task, hence the queue, of its kind."""
    if not batch_ids:
        return
    kinds = dict(IngestBatch.objects.filter(pk__in=batch_ids).values_list("pk", "kind"))
    for batch_id in batch_ids:
        task = ingest_media_batch if kinds.get(batch_id) == IngestBatch.Kind.MEDIA else ingest_batch
        task.delay(batch_id)
