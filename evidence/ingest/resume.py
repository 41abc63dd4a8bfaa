"""Work a broker lost, queued again: by `manage.py resume_work` (by hand) and by Celery beat every
RESUME_LOST_WORK_SECONDS (config/settings.py CELERY_BEAT_SCHEDULE).

Redis without persistence forgets its queued messages when it restarts; the database still says
which ingest batches and list imports are unfinished. Nothing records that a message is missing,
so the work is judged lost when the work queues are empty, nobody holds it (config.work_locks) and,
for work not yet started, it was queued more than one period ago (its first message may still be
on its way to a worker). A copy of work that was not in fact lost does nothing: a batch done is
skipped, a batch or an import held by a worker is not queued.
"""

from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from kombu.exceptions import ChannelError

from audit.services import audit_record
from config.celery import app
from config.work_locks import is_claimed
from evidence.ingest.pipeline import ingest_job_refresh
from evidence.models import DetectionJob, IngestBatch, IngestJob, KeywordRun
from evidence.triage.lists import hash_list_imports_resume

# The queues of the work that can be lost; `default` holds only periodic checks (and this task).
WORK_QUEUES = ("ingest", "media", "lists")


def queued_messages(queues=WORK_QUEUES) -> int | None:
    """Messages waiting in the broker's queues, or None if it cannot tell.

    A queue the broker does not know holds nothing: Redis drops an emptied list, so a queue with
    nothing waiting is "not found". (Counted as unknown, one such queue made every count None, and
    `resume_work` queued again work whose messages were still waiting.)
    """
    total = 0
    try:
        with app.connection_for_write() as connection:
            channel = connection.default_channel
            for name in queues:
                try:
                    total += channel.queue_declare(queue=name, passive=True).message_count
                except ChannelError:
                    continue
    except Exception:  # noqa: BLE001 - the broker unreachable, a transport without counts
        return None
    return total


def ingest_jobs_resume(*, by=None, queued_before=None) -> dict[str, int]:
    """Queue again the work of every unfinished job: its listing, or its batches not done.
    ``queued_before`` (a datetime): a job not yet listed and created after it is left alone, as
    its first message may still be on its way (evidence.ingest.resume, beat's round).

    For a broker that lost its messages (Redis restarted without persistence): nothing in the
    database says a message is missing, so everything unfinished is queued again. A copy of work
    that is in fact still queued or running does nothing: a batch is run by one worker at a time
    (config.work_locks) and a finished one is skipped; no file is hashed into two rows, since a batch
    writes its listed files' rows in the transaction that marks it done (or that drops its listing,
    evidence.models.BatchListing). Returns how many jobs and batches were queued.
    """
    from evidence.tasks import ingest_enumerate, queue_batches

    unfinished = (IngestJob.Status.QUEUED, IngestJob.Status.ENUMERATING, IngestJob.Status.RUNNING)
    jobs = batches = 0
    for job in IngestJob.objects.filter(status__in=unfinished).order_by("pk"):
        if job.status == IngestJob.Status.RUNNING:
            pending = (
                job.batches.exclude(status=IngestBatch.Status.DONE).order_by("number").values_list("pk", flat=True)
            )
            if not pending:
                # Its last batch finished, and its worker died before closing the job: close it now.
                ingest_job_refresh(job=job)
                continue
            pending = [pk for pk in pending if not is_claimed("ingest_batch", pk)]
            queue_batches(pending)  # each to its kind's task and queue: images and videos to `media`
            batches += len(pending)
            jobs += bool(pending)
        elif queued_before is not None and job.created_at > queued_before:
            continue
        elif not is_claimed("ingest_job", job.pk):
            ingest_enumerate.delay(job.pk)
            jobs += 1
    if jobs:
        audit_record(actor=by, action="ingest.resume", jobs=jobs, batches=batches)
    return {"jobs": jobs, "batches": batches}


def keyword_runs_resume(*, by=None, queued_before=None) -> int:
    """Queue again the keyword runs queued or running with no worker on them (their message lost
    with the broker, their worker dead); return how many. A copy of a run still queued finds it
    claimed or done and does nothing (evidence.search.keyword_runs). ``queued_before``: a run still
    queued and created after it is left alone."""
    from evidence.tasks import keyword_list_run

    waiting = KeywordRun.objects.filter(status__in=[KeywordRun.Status.QUEUED, KeywordRun.Status.RUNNING])
    if queued_before is not None:
        waiting = waiting.exclude(status=KeywordRun.Status.QUEUED, created_at__gt=queued_before)
    resumed = [pk for pk in waiting.values_list("pk", flat=True) if not is_claimed("keyword_run", pk)]
    for run_id in resumed:
        keyword_list_run.delay(run_id)
    if resumed:
        audit_record(actor=by, action="keyword_run.resume", runs=resumed)
    return len(resumed)


def detection_jobs_resume(*, by=None, queued_before=None) -> int:
    """Queue again the detection jobs queued or running with no worker on them (their message was
    lost with the broker, or their worker died); return how many. A job goes on after its last file
    done; a copy of one still queued finds it claimed or finished and does nothing. ``queued_before``:
    a job still queued that was created after it is left alone (its message may be on its way)."""
    from evidence.tasks import redetect_dossier

    waiting = DetectionJob.objects.filter(status__in=[DetectionJob.Status.QUEUED, DetectionJob.Status.RUNNING])
    if queued_before is not None:
        waiting = waiting.exclude(status=DetectionJob.Status.QUEUED, created_at__gt=queued_before)
    resumed = [pk for pk in waiting.values_list("pk", flat=True) if not is_claimed("detection_job", pk)]
    for job_id in resumed:
        redetect_dossier.delay(job_id)
    if resumed:
        audit_record(actor=by, action="detection_job.resume", jobs=resumed)
    return len(resumed)


def lost_work_resume(*, force: bool = False, queued_before=None, by=None) -> dict[str, int] | None:
    """Queue again the unfinished work that no message stands for; None if the broker still holds
    messages (the workers are on it) and not ``force``. ``queued_before``: work not yet started
    and queued after it is left alone. Returns counts of jobs, batches, list imports and detection
    jobs queued."""
    waiting = queued_messages()
    if waiting and not force:
        return None
    ingest = ingest_jobs_resume(by=by, queued_before=queued_before)
    versions = hash_list_imports_resume(by=by, queued_before=queued_before)
    detections = detection_jobs_resume(by=by, queued_before=queued_before)
    runs = keyword_runs_resume(by=by, queued_before=queued_before)
    return {**ingest, "imports": versions, "detection_jobs": detections, "keyword_runs": runs}


def lost_work_resume_periodic() -> dict[str, int] | None:
    """Beat's round: only work queued more than one period ago counts as lost."""
    period = timedelta(seconds=settings.RESUME_LOST_WORK_SECONDS)
    return lost_work_resume(queued_before=timezone.now() - period)
