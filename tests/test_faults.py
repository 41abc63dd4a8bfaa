"""Faults with real processes: the broker restarted in the middle of an ingest job, the database
connection of a worker cut in the middle of a list import. (A worker killed mid-batch:
tests/evidence/test_worker_faults.py.)

The Redis here is the test's own, on a free port: never the shared one.
"""

import hashlib
import os

import psycopg
import pytest
import redis
from django.conf import settings
from django.db import connection

from audit.models import AuditEvent
from config.celery import app as celery_app
from evidence.list_tasks import hash_list_import
from evidence.models import IngestBatch, IngestJob
from hashing.models import HashListVersion
from hashing.services import hash_list_version_create
from tests.factories import make_hash_list, sha256_hex, stored_digests, wait_until
from tests.faults import (
    WORKER_APPLICATION,
    assert_done_with_each_file_once,
    manage,
    process_environment,
    stop,
    worker_process,
)

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.postgresql(reason="runs worker processes against the test database"),
]


def test_redis_restarted_mid_job_then_resumed_loses_and_doubles_no_file(dossier, exhibit, tmp_path, own_redis):
    source = tmp_path / "card"
    source.mkdir()
    contents = {}
    for number in range(40):
        content = os.urandom(1 << 20) * 2
        (source / f"f{number:02d}.bin").write_bytes(content)
        contents[f"card/f{number:02d}.bin"] = sha256_hex(content)
    environment = process_environment(tmp_path, own_redis.url, INGEST_BATCH_FILES="2")  # 20 batches
    worker = worker_process(environment, "ingest")
    try:
        manage(environment, "ingest", str(source), "--dossier", dossier.notice_number, "--exhibit", exhibit.seal_number)
        job = IngestJob.objects.get(exhibit=exhibit)
        wait_until(lambda: job.batches.filter(status="done").count() >= 2, timeout=120, interval=0.05)
        own_redis.kill()
        own_redis.start()  # empty: the batches still queued are gone
        # The batch the worker had in hand is finished; the others have no message any more.
        wait_until(lambda: not job.batches.filter(status="running").exists(), timeout=60)
        job.refresh_from_db()
        assert job.status == "running" and job.batches.filter(status="pending").exists()
        assert redis.Redis(port=own_redis.port).llen("ingest") == 0

        output = manage(environment, "resume_work")
        assert "Resumed 1 ingest jobs" in output
        wait_until(lambda: IngestJob.objects.get(pk=job.pk).is_finished, timeout=180)
        # Control: with nothing lost, a second resume queues nothing.
        assert "Resumed 0 ingest jobs (0 batches)" in manage(environment, "resume_work")
    finally:
        stop(worker)
    assert_done_with_each_file_once(job, contents)
    assert AuditEvent.objects.filter(action="ingest.resume").count() == 1


def test_a_database_connection_cut_during_a_list_import_leaves_no_half_version_then_imports_it(admin, tmp_path):
    first = make_hash_list("National list", [hashlib.md5(b"old").hexdigest()], by=admin)
    lines = [hashlib.md5(str(number).encode()).hexdigest() for number in range(200_000)]
    source = tmp_path / "national.txt"
    source.write_text("\n".join(lines))
    with source.open("rb") as stream:
        version = hash_list_version_create(
            name="National list", kind="alert", stream=stream, file_name="national.txt", by=admin
        )
    # Small chunks: the import checkpoints often, so it is still running when its connection is cut.
    environment = process_environment(tmp_path, settings.CELERY_BROKER_URL, HASHLIST_IMPORT_CHUNK="2000")
    with celery_app.connection_for_write() as broker:
        broker.default_channel.queue_purge("lists")
    worker = worker_process(environment, "lists")
    seen_active: set[tuple[int, str]] = set()

    def active_versions() -> set[tuple[int, str]]:
        active = set(HashListVersion.objects.filter(is_active=True).values_list("pk", "status"))
        seen_active.update(active)
        return active

    try:
        hash_list_import.delay(version.pk)
        wait_until(
            lambda: HashListVersion.objects.filter(pk=version.pk, status="importing", progress_done__gt=0).exists(),
            timeout=120,
            interval=0.02,
        )
        assert active_versions() == {(first.pk, "ready")}
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = %s"
                " AND datname = current_database()",
                [WORKER_APPLICATION],
            )
            assert [row[0] for row in cursor.fetchall()] == [True]

        def imported() -> bool:
            active_versions()
            return HashListVersion.objects.filter(pk=version.pk, status="ready").exists()

        wait_until(imported, timeout=180, interval=0.05)
    finally:
        stop(worker)
    # The cut was recorded, with its reason, and the version failed rather than stayed half done ...
    interrupted = AuditEvent.objects.get(action="hashlist.import_interrupted", target_id=str(version.pk))
    assert interrupted.detail["error"].startswith("database connection lost")
    # ... while the first version stayed the active one until the second was whole.
    assert seen_active <= {(first.pk, "ready"), (version.pk, "ready")}
    version.refresh_from_db()
    assert version.entries == 200_000 and len(stored_digests(version)) == 200_000  # both storages
    assert set(HashListVersion.objects.filter(is_active=True).values_list("pk", flat=True)) == {version.pk}
    assert version.error == ""  # the retry started over and finished


def test_resume_queues_nothing_for_work_that_a_worker_holds(exhibit, owner):
    """A batch being processed is claimed; resume leaves it alone (control: a free one is queued)."""
    from config.work_locks import claim_key
    from evidence.ingest.resume import ingest_jobs_resume

    job = IngestJob.objects.create(exhibit=exhibit, source_label="x", created_by=owner, status="running")
    held = IngestBatch.objects.create(job=job, number=1, status="running")
    free = IngestBatch.objects.create(job=job, number=2, status="pending")
    IngestBatch.objects.create(job=job, number=3, status="done")
    with celery_app.connection_for_write() as broker:
        broker.default_channel.queue_purge("ingest")
    other = connection.settings_dict
    with psycopg.connect(host=other["HOST"], port=other["PORT"], user=other["USER"], dbname=other["NAME"]) as holder:
        holder.execute("SELECT pg_advisory_lock(%s)", [claim_key("ingest_batch", held.pk)])
        assert ingest_jobs_resume() == {"jobs": 1, "batches": 1}
    with celery_app.connection_for_write() as broker:
        message = broker.default_channel.basic_get("ingest", no_ack=True)
        assert message.headers["task"] == "evidence.tasks.ingest_batch" and message.decode()[0] == [free.pk]
        assert broker.default_channel.basic_get("ingest", no_ack=True) is None  # the held batch was not queued
