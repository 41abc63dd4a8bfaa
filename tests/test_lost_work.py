"""Work a Redis restart lost is queued again by Celery beat, without anyone running `resume_work`.

The Redis here is the test's own, on a free port (tests/faults.py): never the shared one.
"""

import os

import pytest
import redis
from django.utils import timezone

from audit.models import AuditEvent
from config.celery import app as celery_app
from evidence.ingest.resume import lost_work_resume_periodic
from evidence.models import IngestBatch, IngestJob, KeywordRun
from evidence.search.keywords import keyword_list_import, keyword_run_start
from evidence.tasks import queue_batches
from tests.factories import sha256_hex, wait_until
from tests.faults import (
    assert_done_with_each_file_once,
    beat_process,
    manage,
    process_environment,
    stop,
    worker_process,
)

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.postgresql(reason="runs worker processes against the test database"),
]


def card(folder, count: int) -> dict[str, str]:
    folder.mkdir()
    contents = {}
    for number in range(count):
        content = os.urandom(1 << 20) * 2
        (folder / f"f{number:02d}.bin").write_bytes(content)
        contents[f"{folder.name}/f{number:02d}.bin"] = sha256_hex(content)
    return contents


def test_beat_queues_again_the_batches_a_redis_restart_lost(dossier, exhibit, tmp_path, own_redis):
    contents = card(tmp_path / "card", 40)
    environment = process_environment(
        tmp_path, own_redis.url, INGEST_BATCH_FILES="2", RESUME_LOST_WORK_SECONDS="2"
    )  # 20 batches; beat's round every 2 s
    worker = worker_process(environment, "ingest,default")
    beat = beat_process(environment, tmp_path)
    try:
        manage(
            environment,
            "ingest",
            str(tmp_path / "card"),
            "--dossier",
            dossier.notice_number,
            "--exhibit",
            exhibit.seal_number,
        )
        job = IngestJob.objects.get(exhibit=exhibit)
        wait_until(lambda: job.batches.filter(status="done").count() >= 2, timeout=120, interval=0.05)
        own_redis.kill()
        own_redis.start()  # empty: the batches still queued are gone, and nobody runs resume_work
        assert redis.Redis(port=own_redis.port).llen("ingest") == 0
        wait_until(lambda: IngestJob.objects.get(pk=job.pk).is_finished, timeout=180)
    finally:
        stop(beat)
        stop(worker)
    assert_done_with_each_file_once(job, contents)
    resumed = AuditEvent.objects.filter(action="ingest.resume")
    assert resumed.exists() and all(event.actor is None for event in resumed)  # beat did it, not a person


def purge_work_queues():
    with celery_app.connection_for_write() as broker:
        for queue in ("ingest", "media", "lists"):
            broker.default_channel.queue_purge(queue)


def queued(queue: str) -> int:
    with celery_app.connection_for_write() as broker:
        return broker.default_channel.queue_declare(queue=queue, passive=True).message_count


def test_beats_round_queues_nothing_while_the_work_is_queued_or_was_just_created(exhibit, owner, settings):
    """Control: nothing lost, nothing queued (no second copy of a batch still in the broker)."""
    settings.RESUME_LOST_WORK_SECONDS = 300
    purge_work_queues()
    job = IngestJob.objects.create(exhibit=exhibit, source_label="x", created_by=owner, status="running")
    waiting = IngestBatch.objects.create(job=job, number=1, status="pending")
    queue_batches([waiting.pk])
    try:
        assert lost_work_resume_periodic() is None  # its message is in the broker: the workers are on it
        assert queued("ingest") == 1
        purge_work_queues()
        waiting.status = "done"
        waiting.save(update_fields=["status"])
        IngestJob.objects.create(exhibit=exhibit, source_label="new", created_by=owner)  # its message may be on its way
        assert lost_work_resume_periodic() == {
            "jobs": 0,
            "batches": 0,
            "imports": 0,
            "detection_jobs": 0,
            "keyword_runs": 0,
        }
        assert not AuditEvent.objects.filter(action="ingest.resume").exists()
    finally:
        purge_work_queues()


def test_beats_round_queues_a_listing_whose_message_was_lost_one_period_ago(exhibit, owner, settings):
    settings.RESUME_LOST_WORK_SECONDS = 300
    purge_work_queues()
    job = IngestJob.objects.create(exhibit=exhibit, source_label="old", created_by=owner)
    IngestJob.objects.filter(pk=job.pk).update(created_at=timezone.now() - timezone.timedelta(seconds=301))
    try:
        assert lost_work_resume_periodic() == {
            "jobs": 1,
            "batches": 0,
            "imports": 0,
            "detection_jobs": 0,
            "keyword_runs": 0,
        }
        assert queued("ingest") == 1
        assert lost_work_resume_periodic() is None  # and not twice while that copy waits
    finally:
        purge_work_queues()


def test_beats_round_queues_again_a_keyword_run_whose_message_was_lost(dossier, owner, settings):
    settings.RESUME_LOST_WORK_SECONDS = 300
    purge_work_queues()
    keyword_list = keyword_list_import(dossier=dossier, name="L", text="darkfalcon", by=owner)
    run = keyword_run_start(keyword_list=keyword_list, by=owner, queue=False)
    try:
        assert lost_work_resume_periodic()["keyword_runs"] == 0  # control: just queued, its message may be on its way
        KeywordRun.objects.filter(pk=run.pk).update(created_at=timezone.now() - timezone.timedelta(seconds=301))
        assert lost_work_resume_periodic()["keyword_runs"] == 1
        assert queued("lists") == 1
        assert AuditEvent.objects.filter(action="keyword_run.resume").exists()
    finally:
        purge_work_queues()
