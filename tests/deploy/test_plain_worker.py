"""A worker started as Celery's documentation starts it (no -Q) takes every queue Scellé uses."""

import pytest

from evidence.ingest.jobs import ingest_job_create_from_path
from evidence.models import EvidenceFile, IngestJob
from tests.evidence.test_worker_faults import worker_process
from tests.factories import video_bytes, wait_until, zip_bytes

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.postgresql(reason="runs a worker process against the test database")
@pytest.mark.parametrize("queues", [None, "default,ingest,media,lists"])
def test_a_worker_without_queues_named_ingests_files_and_media(exhibit, owner, tmp_path, queues):
    """The control names every queue, as deployments do; the bare worker must do the same work."""
    source = tmp_path / "seized"
    source.mkdir()
    (source / "notes.txt").write_bytes(b"plain text")
    (source / "clip.mp4").write_bytes(video_bytes([1, 2]))
    (source / "phone.zip").write_bytes(zip_bytes({"DCIM/a.txt": b"in an archive"}))
    worker = worker_process(tmp_path, queues=queues, name="plain", batch_files=2)
    try:
        job = ingest_job_create_from_path(exhibit=exhibit, path=source, by=owner)
        finished = wait_until(
            lambda: IngestJob.objects.filter(pk=job.pk, status__in=["done", "failed"]).first(), timeout=120
        )
    finally:
        worker.terminate()
        worker.wait(timeout=30)
    assert finished.status == "done"
    files = dict(EvidenceFile.objects.filter(job=job).values_list("path", "triage"))
    assert files["seized/clip.mp4"] == "new_video"  # the media queue's work
    assert "seized/phone.zip/DCIM/a.txt" in files and "seized/notes.txt" in files
