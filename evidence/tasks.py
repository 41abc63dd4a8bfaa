import logging

from celery import Task, shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.db import DatabaseError, InterfaceError, OperationalError

from config.database import connection_lost, when_database_is_back
from config.messages import english, message
from config.store import StoreFull
from evidence.ingest.failures import (
    failure_reason,
    ingest_batch_fail,
    ingest_batch_interrupted,
    ingest_job_fail,
    ingest_job_interrupted,
    ingest_job_store_full,
)
from evidence.ingest.pipeline import ingest_batch_process, ingest_job_enumerate
from evidence.ingest.redetection import detection_job_fail, detection_job_run
from evidence.ingest.resume import lost_work_resume_periodic
from evidence.models import DetectionJob, IngestBatch, IngestJob, KeywordRun, TextIndexJob
from evidence.search.indexing import text_index_job_fail, text_index_job_run
from evidence.search.keyword_runs import keyword_run_execute, keyword_run_fail

log = logging.getLogger(__name__)

# Retried only for a lost database connection; anything else is recorded on the job.
RETRY_ON = (OperationalError, InterfaceError)


class IngestTask(Task):
    """Every ingest task: a lost database connection is retried; any other error, or the last
    retry's, is recorded on the task's batch (its files, its container, its job) or on its job,
    which then ends, instead of staying "running" for good (``evidence.ingest.failures``)."""

    autoretry_for = RETRY_ON
    retry_backoff = True
    max_retries = 5
    acks_late = True
    # What the task's one argument is the id of: "batch" or "job".
    works_on = "batch"

    def on_failure(self, exc, task_id, args, kwargs, einfo):
        work_id = args[0] if args else next(iter(kwargs.values()), None)
        reason = failure_reason(exc)
        log.error("%s %s of task %s: %s", self.works_on, work_id, self.name, english(reason), exc_info=exc)
        try:
            if self.works_on == "job":
                ingest_job_fail(job_id=work_id, reason=reason)
            else:
                queue_batches(ingest_batch_fail(batch_id=work_id, reason=reason))
        except Exception as error:  # the database itself is gone: beat's resume takes the work up again
            if not (isinstance(error, DatabaseError) or connection_lost(error)):
                raise
            log.exception("the failure of %s %s could not be recorded", self.works_on, work_id)


@shared_task(bind=True, base=IngestTask, works_on="job")
def ingest_enumerate(self, job_id: int) -> None:
    try:
        queue_batches(ingest_job_enumerate(job=IngestJob.objects.get(pk=job_id)))
    except Exception as error:
        if not connection_lost(error):
            raise
        _retry_after_lost_connection(self, error, lambda reason: ingest_job_interrupted(job_id=job_id, reason=reason))


def _retry_after_lost_connection(task, error: BaseException, record) -> None:
    """The database went away under the work (a restart, a failover): nothing of it was committed.
    ``record(reason)`` is called once the database answers again, then the task runs again from the
    start. (Raw cursors raise the driver's own errors, which autoretry_for, naming Django's, missed:
    the work was left "running" for good.)"""
    reason = f"database connection lost: {str(error).strip()[:200]}"
    when_database_is_back(lambda: record(reason))
    raise task.retry(countdown=min(2**task.request.retries, 60), exc=error) from error


def _process(task, batch_id: int) -> None:
    batch = IngestBatch.objects.select_related("job", "container").get(pk=batch_id)
    try:
        created = ingest_batch_process(batch=batch, worker=task.request.hostname or "")
    except SoftTimeLimitExceeded:
        # The queue's time limit (deploy/README.md): what the batch had not done is recorded as
        # not processed, with the reason, and the job goes on.
        queue_batches(ingest_batch_fail(batch_id=batch_id, reason=message("job.time_limit")))
        return
    except StoreFull as error:
        # Nothing of the attempt was kept (its rows and its thumbnails' partial copies are gone): the
        # batch waits for space, then runs again; past the last try it is recorded as failed with why.
        retry_in = settings.STORE_FULL_RETRY_SECONDS
        ingest_job_store_full(batch=batch, error=error, retry_in=retry_in)
        raise task.retry(countdown=retry_in, max_retries=settings.STORE_FULL_RETRIES, exc=error) from error
    except Exception as error:
        if not connection_lost(error):
            raise
        record = lambda reason: ingest_batch_interrupted(batch_id=batch_id, reason=reason)  # noqa: E731
        _retry_after_lost_connection(task, error, record)
    queue_batches(created)


@shared_task(bind=True, base=IngestTask)
def ingest_batch(self, batch_id: int) -> None:
    """A batch of files, an archive or a disk image: on the `ingest` queue (CELERY_TASK_ROUTES)."""
    _process(self, batch_id)


@shared_task(bind=True, base=IngestTask)
def ingest_media_batch(self, batch_id: int) -> None:
    """A batch of images and videos (perceptual hashes, thumbnails, keyframes), or the OCR of a batch's
    pictures and scanned PDFs: on the `media` queue."""
    _process(self, batch_id)


def queue_batches(batch_ids: list[int]) -> None:
    """Send each batch to the task, hence the queue, of its kind."""
    if not batch_ids:
        return
    kinds = dict(IngestBatch.objects.filter(pk__in=batch_ids).values_list("pk", "kind"))
    for batch_id in batch_ids:
        media = kinds.get(batch_id) in (IngestBatch.Kind.MEDIA, IngestBatch.Kind.OCR)
        task = ingest_media_batch if media else ingest_batch
        task.delay(batch_id)


@shared_task(acks_late=True)
def resume_lost_work() -> None:
    """Sent by Celery beat every RESUME_LOST_WORK_SECONDS, to the `default` queue: work a broker
    restart lost is queued again without anyone running `resume_work` (evidence.ingest.resume)."""
    resumed = lost_work_resume_periodic()
    if resumed and any(resumed.values()):
        log.warning("queued again the work the broker lost: %s", resumed)


@shared_task(autoretry_for=RETRY_ON, retry_backoff=True, max_retries=5, acks_late=True)
def text_index_dossier(job_id: int) -> None:
    """Index the text of a dossier's files ingested before content search (evidence.search.indexing)."""
    try:
        text_index_job_run(job=TextIndexJob.objects.get(pk=job_id))
    except RETRY_ON:
        raise
    except Exception as error:
        text_index_job_fail(job_id=job_id, reason=failure_reason(error))
        raise


@shared_task(autoretry_for=RETRY_ON, retry_backoff=True, max_retries=5, acks_late=True)
def redetect_dossier(job_id: int) -> None:
    """One chunk of a dossier's images and videos looked at again by the job's detectors, then the
    next chunk queued (evidence.ingest.redetection): on the `media` queue, each task short, so that
    new ingests are not held behind a whole dossier."""
    try:
        more = detection_job_run(job=DetectionJob.objects.get(pk=job_id))
    except RETRY_ON:
        raise
    except Exception as error:
        detection_job_fail(job_id=job_id, reason=failure_reason(error))
        raise
    if more:
        redetect_dossier.delay(job_id)


@shared_task(autoretry_for=RETRY_ON, retry_backoff=True, max_retries=5, acks_late=True)
def keyword_list_run(run_id: int) -> None:
    """Look for a keyword list's terms over its dossier's texts (evidence.search.keyword_runs): `lists` queue."""
    try:
        keyword_run_execute(run=KeywordRun.objects.select_related("keyword_list").get(pk=run_id))
    except RETRY_ON:
        raise
    except Exception as error:
        keyword_run_fail(run_id=run_id, reason=failure_reason(error))
        raise
