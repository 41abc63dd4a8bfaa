"""One worker at a time on a unit of work (a job's enumeration, an ingest batch, a list import).

A task can be delivered twice: ``manage.py resume_work`` queues again the work whose messages a
broker restart lost, and the first copy may still be running somewhere. Whoever runs the work holds
a session-level PostgreSQL advisory lock on it; a second copy finds it taken and steps aside. The
lock goes with its holder's connection: when a worker process dies, its work can be taken up again
at once (by the redelivered message or by a resume).
"""

import logging
from contextlib import contextmanager

from django.db import connection

log = logging.getLogger(__name__)
# Each kind of work has its own key space: key = (BASE + kind) * 2**48 + primary key.
KINDS = {
    "ingest_job": 1,
    "ingest_batch": 2,
    "hash_list_import": 3,
    "text_index_job": 4,
    "detection_job": 5,
    "keyword_run": 6,
}
BASE = 0x5C00


def claim_key(kind: str, pk: int) -> int:
    return (BASE + KINDS[kind]) * 2**48 + pk


@contextmanager
def claim(kind: str, pk: int):
    """Yield True if this process now runs the work (until the block ends), False if another does.

    Without PostgreSQL (the single-process demo on SQLite) there is no one to share with: True.
    """
    if connection.vendor != "postgresql":
        yield True
        return
    key = claim_key(kind, pk)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s)", [key])
        mine = cursor.fetchone()[0]
    try:
        yield mine
    finally:
        if mine:
            try:
                with connection.cursor() as cursor:
                    cursor.execute("SELECT pg_advisory_unlock(%s)", [key])
            except Exception:  # noqa: BLE001 - a lost connection has released the lock already
                log.warning("could not release the claim on %s %s", kind, pk)


def is_claimed(kind: str, pk: int) -> bool:
    """Is someone running this work right now? (Takes and releases the lock at once.)"""
    with claim(kind, pk) as mine:
        return not mine
