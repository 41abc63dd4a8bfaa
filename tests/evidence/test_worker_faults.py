"""Faults with real processes: a worker killed in the middle of a batch loses and doubles nothing."""

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from evidence.models import EvidenceFile, IngestBatch, IngestJob
from evidence.services import ingest_job_create_from_path
from tests.factories import sha256_hex, wait_until

pytestmark = pytest.mark.django_db(transaction=True)
ROOT = Path(__file__).resolve().parents[2]


def worker_process(tmp_path) -> subprocess.Popen:
    """A real `celery worker` on the test database and the test broker, as on another host."""
    database = connection.settings_dict
    environment = {
        **os.environ,
        "DATABASE_URL": f"postgresql://{database['USER']}@{database['HOST']}:{database['PORT']}/{database['NAME']}",
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
        "EVIDENCE_ROOT": str(settings.EVIDENCE_ROOT),
        "DERIVED_ROOT": str(tmp_path / "derived"),
        "INGEST_BATCH_FILES": "4",
    }
    return subprocess.Popen(
        [
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
            "-Q",
            "ingest",
            "-n",
            f"killtest-{os.getpid()}@%h",
        ],
        cwd=ROOT,
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def pool_children(pid: int) -> list[int]:
    children = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(child) for child in children.read_text().split()] if children.exists() else []


@pytest.mark.skipif(connection.vendor != "postgresql", reason="runs a worker process against the test database")
def test_a_worker_killed_mid_batch_loses_and_doubles_no_file(exhibit, owner, tmp_path, settings):
    settings.INGEST_BATCH_FILES = 4
    source = tmp_path / "big"
    source.mkdir()
    contents = {}
    for number in range(8):  # two batches of four files of 48 MiB: each batch takes a second or more
        content = os.urandom(1 << 20) * 48
        (source / f"f{number}.bin").write_bytes(content)
        contents[f"big/f{number}.bin"] = sha256_hex(content)
    with connection.cursor() as cursor:  # the worker process must see what this test commits
        cursor.execute("SELECT 1")
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
