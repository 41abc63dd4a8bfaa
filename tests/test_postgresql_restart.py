"""PostgreSQL restarted in the middle of an ingest batch and of a list import: the work survives
(retried from the start), no file lost or doubled, no half version active, the interruption recorded
with its reason. Control: the same work without a restart.

The PostgreSQL restarted is the test's own (tests/faults.py ``own_postgresql``): never the shared one.
"""

import hashlib
import os

import pytest
from django.conf import settings
from django.db import InterfaceError, OperationalError, connection

from audit.models import AuditEvent
from config.celery import app as celery_app
from evidence.ingest.jobs import ingest_job_create_from_path
from evidence.list_tasks import hash_list_import
from evidence.models import EvidenceFile, IngestBatch, IngestJob
from hashing.models import HashListVersion
from hashing.services import hash_list_version_create
from tests.factories import make_hash_list, sha256_hex, stored_digests, wait_until
from tests.faults import process_environment, stop, worker_process

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.postgresql(reason="restarts a PostgreSQL cluster of the test's own"),
]


def asking(question):
    """``question()``, or None while the database is down or our session went with its restart."""

    def ask():
        try:
            return question()
        except (OperationalError, InterfaceError):
            connection.close()
            return None

    return ask


def purge(*queues: str) -> None:
    with celery_app.connection_for_write() as broker:
        for queue in queues:
            broker.default_channel.queue_purge(queue)


def big_files(folder, count: int) -> dict[str, str]:
    """Files of 24 MiB: a batch of two takes a moment to hash; path -> sha256."""
    folder.mkdir()
    contents = {}
    for number in range(count):
        content = os.urandom(1 << 20) * 24
        (folder / f"f{number}.bin").write_bytes(content)
        contents[f"{folder.name}/f{number}.bin"] = sha256_hex(content)
    return contents


@pytest.mark.parametrize("restart", [True, False], ids=["restarted", "control"])
def test_postgresql_restarted_mid_batch_loses_and_doubles_no_file(exhibit, owner, own_postgresql, tmp_path, restart):
    contents = big_files(tmp_path / "card", 8)  # four batches of two
    purge("ingest")
    worker = worker_process(process_environment(tmp_path, settings.CELERY_BROKER_URL, INGEST_BATCH_FILES="2"), "ingest")
    try:
        job = ingest_job_create_from_path(exhibit=exhibit, path=tmp_path / "card", by=owner)
        wait_until(lambda: IngestBatch.objects.filter(job=job, status="running").exists(), timeout=60, interval=0.02)
        if restart:
            own_postgresql.restart(down_for=1)
        wait_until(asking(lambda: IngestJob.objects.get(pk=job.pk).is_finished), timeout=120, interval=0.2)
    finally:
        stop(worker)
    job.refresh_from_db()
    assert job.status == "done"
    files = list(EvidenceFile.objects.filter(job=job))
    assert {f.path: f.sha256_hex for f in files} == contents and len(files) == 8  # each file once
    batches = IngestBatch.objects.filter(job=job)
    assert set(batches.values_list("status", flat=True)) == {"done"}
    assert sum(batches.values_list("files_done", flat=True)) == 8
    interrupted = AuditEvent.objects.filter(action="ingest.batch_interrupted")
    if restart:
        event = interrupted.get()
        assert event.detail["error"].startswith("database connection lost")
        assert batches.get(number=event.detail["batch"]).attempts == 2  # run again, from the start
    else:
        assert not interrupted.exists()
        assert set(batches.values_list("attempts", flat=True)) == {1}


@pytest.mark.parametrize("restart", [True, False], ids=["restarted", "control"])
def test_postgresql_restarted_mid_list_import_leaves_no_half_version_then_imports_it(
    admin, own_postgresql, tmp_path, restart
):
    first = make_hash_list("National list", [hashlib.md5(b"old").hexdigest()], by=admin)
    source = tmp_path / "national.txt"
    source.write_text("\n".join(hashlib.md5(str(number).encode()).hexdigest() for number in range(200_000)))
    with source.open("rb") as stream:
        version = hash_list_version_create(
            name="National list", kind="alert", stream=stream, file_name="national.txt", by=admin
        )
    purge("lists")
    environment = process_environment(tmp_path, settings.CELERY_BROKER_URL, HASHLIST_IMPORT_CHUNK="2000")
    worker = worker_process(environment, "lists")
    seen_active: set[tuple[int, str]] = set()

    def imported() -> bool:
        seen_active.update(HashListVersion.objects.filter(is_active=True).values_list("pk", "status"))
        return HashListVersion.objects.filter(pk=version.pk, status="ready").exists()

    try:
        hash_list_import.delay(version.pk)
        wait_until(
            lambda: HashListVersion.objects.filter(pk=version.pk, status="importing", progress_done__gt=0).exists(),
            timeout=120,
            interval=0.02,
        )
        if restart:
            own_postgresql.restart(down_for=1)
        wait_until(asking(imported), timeout=180, interval=0.05)
    finally:
        stop(worker)
    # The first version stayed the active one until the second was whole.
    assert seen_active <= {(first.pk, "ready"), (version.pk, "ready")}
    version.refresh_from_db()
    assert version.entries == 200_000 and len(stored_digests(version)) == 200_000
    assert set(HashListVersion.objects.filter(is_active=True).values_list("pk", flat=True)) == {version.pk}
    assert version.error == ""
    interrupted = AuditEvent.objects.filter(action="hashlist.import_interrupted", target_id=str(version.pk))
    if restart:
        assert interrupted.get().detail["error"].startswith("database connection lost")
    else:
        assert not interrupted.exists()


def test_postgresql_restarted_while_a_folder_is_listed_lists_it_again_and_does_not_fail_the_job(
    exhibit, owner, own_postgresql, tmp_path
):
    """A lost connection is not the source's fault: the listing is done again, the job does not fail."""
    card = tmp_path / "card"
    for folder in range(40):
        (card / f"d{folder}").mkdir(parents=True)
        for number in range(500):
            (card / f"d{folder}" / f"f{number}.txt").write_bytes(b"%d" % (folder * 500 + number))
    purge("ingest")
    environment = process_environment(tmp_path, settings.CELERY_BROKER_URL, INGEST_BATCH_FILES="5000")
    worker = worker_process(environment, "ingest")
    try:
        job = ingest_job_create_from_path(exhibit=exhibit, path=card, by=owner)
        wait_until(
            lambda: IngestJob.objects.filter(pk=job.pk, status="enumerating").exists(), timeout=60, interval=0.01
        )
        own_postgresql.restart(down_for=1)
        wait_until(asking(lambda: IngestJob.objects.get(pk=job.pk).is_finished), timeout=120, interval=0.2)
    finally:
        stop(worker)
    job.refresh_from_db()
    assert job.status == "done" and job.error == ""
    assert job.files_total == 20_000 and EvidenceFile.objects.filter(job=job).count() == 20_000  # each once
    interrupted = AuditEvent.objects.get(action="ingest.listing_interrupted")
    assert interrupted.detail["error"].startswith("database connection lost")
