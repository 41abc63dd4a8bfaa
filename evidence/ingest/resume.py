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

from config.celery import app
from evidence.services import ingest_jobs_resume
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


def lost_work_resume(*, force: bool = False, queued_before=None, by=None) -> dict[str, int] | None:
    """Queue again the unfinished work that no message stands for; None if the broker still holds
    messages (the workers are on it) and not ``force``. ``queued_before``: work not yet started
    and queued after it is left alone. Returns counts of jobs, batches and list imports queued."""
    waiting = queued_messages()
    if waiting and not force:
        return None
    ingest = ingest_jobs_resume(by=by, queued_before=queued_before)
    versions = hash_list_imports_resume(by=by, queued_before=queued_before)
    return {**ingest, "imports": versions}


def lost_work_resume_periodic() -> dict[str, int] | None:
    """Beat's round: only work queued more than one period ago counts as lost."""
    period = timedelta(seconds=settings.RESUME_LOST_WORK_SECONDS)
    return lost_work_resume(queued_before=timezone.now() - period)
