"""Faults with real processes: a worker killed in the middle of a batch loses and doubles nothing."""

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from evidence.ingest.jobs import ingest_job_create_from_path
from evidence.models import EvidenceFile, IngestBatch, IngestJob
from tests.factories import sha256_hex, wait_until
from tests.faults import switches

pytestmark = pytest.mark.django_db(transaction=True)
ROOT = Path(__file__).resolve().parents[2]


def worker_process(tmp_path, queues: str | None = "ingest", name: str = "killtest", batch_files: int = 4):
    """A real `celery worker` on the test database and the test broker, as on another host.

    ``queues`` None starts it as Celery's documentation does, without ``-Q``.
    """
    database = connection.settings_dict
    environment = {
        **os.environ,
        "DATABASE_URL": f"postgresql://{database['USER']}@{database['HOST']}:{database['PORT']}/{database['NAME']}",
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
        "EVIDENCE_ROOT": str(settings.EVIDENCE_ROOT),
        "DERIVED_ROOT": str(tmp_path / "derived"),
        "INGEST_BATCH_FILES": str(batch_files),
        **switches(),
    }
    command = [
        sys.executable,
        "-m",
        "celery",
        "-A",
        "config",
        "worker",
        "--concurrency",
        "1",
        "--loglevel",
        "WARNING",
        "--without-gossip",
        "--without-mingle",
        "--without-heartbeat",
        *(["-Q", queues] if queues else []),
        "-n",
        f"{name}-{os.getpid()}@%h",
    ]
    return subprocess.Popen(command, cwd=ROOT, env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def big_files(folder: Path, count: int) -> dict[str, str]:
    """Files of 48 MiB (a batch of four takes a second or more to hash); path -> sha256."""
    folder.mkdir()
    contents = {}
    for number in range(count):
        content = os.urandom(1 << 20) * 48
        (folder / f"f{number}.bin").write_bytes(content)
        contents[f"{folder.name}/f{number}.bin"] = sha256_hex(content)
    return contents


def pool_children(pid: int) -> list[int]:
    children = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(child) for child in children.read_text().split()] if children.exists() else []


@pytest.mark.postgresql(reason="runs a worker process against the test database")
def test_a_worker_killed_mid_batch_loses_and_doubles_no_file(exhibit, owner, tmp_path, settings):
    source = tmp_path / "big"
    contents = big_files(source, 8)  # two batches of four
    worker = worker_process(tmp_path)
    try:
        job = ingest_job_create_from_path(exhibit=exhibit, path=source, by=owner)
        running = wait_until(
            lambda: IngestBatch.objects.filter(job=job, status="running").first(), timeout=60, interval=0.05
        )
        children = wait_until(lambda: pool_children(worker.pid), timeout=10)
        os.kill(children[0], signal.SIGKILL)  # the process hashing the batch dies mid-read
        wait_until(lambda: IngestJob.objects.get(pk=job.pk).is_finished, timeout=120)
    finally:
        worker.terminate()
        worker.wait(timeout=30)
    job.refresh_from_db()
    assert job.status == "done"
    files = {f.path: f for f in EvidenceFile.objects.filter(job=job)}
    assert {path: f.sha256_hex for path, f in files.items()} == contents  # each file once, hashed right
    assert IngestBatch.objects.get(pk=running.pk).attempts == 2  # the killed batch ran again


@pytest.mark.postgresql(reason="runs worker processes against the test database")
def test_two_workers_on_different_queues_share_a_job_with_the_same_result(exhibit, owner, tmp_path):
    """As two hosts would be: one only hashes (ingest), the other also takes the rest of the work."""
    source = tmp_path / "card"
    contents = big_files(source, 8)
    hashing_host = worker_process(tmp_path, queues="ingest", name="hashing", batch_files=1)
    general_host = worker_process(tmp_path, queues="ingest,default,lists", name="general", batch_files=1)
    try:
        job = ingest_job_create_from_path(exhibit=exhibit, path=source, by=owner)
        wait_until(lambda: IngestJob.objects.get(pk=job.pk).is_finished, timeout=180)
    finally:
        for worker in (hashing_host, general_host):
            worker.terminate()
        for worker in (hashing_host, general_host):
            worker.wait(timeout=60)
    job.refresh_from_db()
    assert job.status == "done"
    workers = {name.split("-")[0] for name in job.batches.values_list("worker", flat=True)}
    assert workers == {"hashing", "general"}  # the work was split between the two
    # The same result as one process computes alone: each file once, with its own SHA-256.
    assert {f.path: f.sha256_hex for f in EvidenceFile.objects.filter(job=job)} == contents
