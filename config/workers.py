"""Which queues live workers consume, asked of the workers themselves through the broker.

One question (`inspect().active_queues()`, a broadcast every running worker answers) for the health
check, the job page and `ingest --wait`. Pages ask through ``queues_without_worker``, whose answer
is kept a few seconds, so that a page polled every second does not wait on the broker each time.
"""

import logging
from collections.abc import Iterable

from django.core.cache import cache

from config.celery import app as celery_app

logger = logging.getLogger(__name__)

INSPECT_TIMEOUT_SECONDS = 1.0
CACHE_SECONDS = 5
CACHE_KEY = "scelle:queues-consumed"
UNKNOWN = "unknown"
# kombu's file-system transport (the embedded default) broadcasts through files each worker polls
# once a second at best: silence within a short timeout proves nothing, so nobody is asked.
TRANSPORTS_THAT_CANNOT_TELL = {"filesystem"}


def queues_consumed(
    *, timeout: float = INSPECT_TIMEOUT_SECONDS, app=celery_app, workers: list[str] | None = None
) -> frozenset[str] | None:
    """Names of the queues at least one live worker consumes now (empty: no worker answered).

    None when nobody can tell: the broker cannot broadcast to the workers (unless ``workers`` are
    named), or did not answer.
    Waits ``timeout`` seconds for the answers, or until each of ``workers`` (node names) answered.
    """
    try:
        with app.connection_for_write() as connection:
            # Asked of named workers (the health check's, which answered its ping), their answers are
            # awaited until all came: silence is then no longer ambiguous, even on the file system.
            if workers is None and connection.transport.driver_type in TRANSPORTS_THAT_CANNOT_TELL:
                return None
            connection.ensure_connection(max_retries=1, timeout=timeout)
            replies = app.control.inspect(workers, timeout=timeout, connection=connection).active_queues() or {}
    except Exception as error:  # noqa: BLE001 - whatever the broker did, the answer is "unknown", never an error page
        logger.warning("cannot ask the workers which queues they consume: %s", error.__class__.__name__)
        return None
    return frozenset(queue.get("name") for queues in replies.values() for queue in queues or ())


def queues_without_worker(queues: Iterable[str]) -> list[str] | None:
    """Which of ``queues`` no live worker consumes, by the answer of the last few seconds (sorted).

    None when nobody can tell (see ``queues_consumed``).
    """
    consumed = cache.get(CACHE_KEY)
    if consumed is None:
        consumed = queues_consumed()
        consumed = UNKNOWN if consumed is None else consumed
        cache.set(CACHE_KEY, consumed, CACHE_SECONDS)
    if consumed == UNKNOWN:
        return None
    return sorted(set(queues) - set(consumed))


def task_queues(task_names: Iterable[str], app=celery_app) -> list[str]:
    """The queues the named tasks are sent to, by the routes of the settings (CELERY_TASK_ROUTES)."""
    return sorted({app.amqp.router.route({}, name)["queue"].name for name in task_names})
