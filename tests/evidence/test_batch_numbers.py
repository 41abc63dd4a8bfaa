"""Batches numbered without a race: two workers expanding two disk images of one job at once."""

import threading

import pytest
from django.db import connections, transaction

from evidence.ingest.jobs import ingest_job_create_from_path
from evidence.ingest.pipeline.state import ingest_batch_create
from evidence.models import EvidenceFile, IngestBatch, IngestJob
from tests.evidence.disk_fixtures import fat_image, needs_tools
from tests.evidence.test_worker_faults import worker_process
from tests.factories import sha256_hex, wait_until

pytestmark = pytest.mark.django_db(transaction=True)


def many_files(prefix: str, count: int) -> dict[str, bytes]:
    return {f"{prefix}{number}.txt": f"{prefix} note {number}\n".encode() * (number + 1) for number in range(count)}


@needs_tools
@pytest.mark.postgresql(reason="runs worker processes against the test database")
def test_two_disk_images_expanded_by_two_workers_at_once_end_the_job_done_with_every_file_once(
    exhibit, owner, tmp_path
):
    source = tmp_path / "seized"
    source.mkdir()
    images = {"a": many_files("a", 40), "b": many_files("b", 40)}
    for name, files in images.items():
        fat_image(source / f"{name}.dd", files)
    # One file a batch: each image is cut into forty batches, both images at the same moment.
    workers = [worker_process(tmp_path, queues="ingest,media", name=f"w{n}", batch_files=1) for n in (1, 2)]
    try:
        job = ingest_job_create_from_path(exhibit=exhibit, path=source, by=owner)
        wait_until(lambda: IngestJob.objects.get(pk=job.pk).is_finished, timeout=240)
    finally:
        for worker in workers:
            worker.terminate()
        for worker in workers:
            worker.wait(timeout=60)
    job.refresh_from_db()
    assert (job.status, job.error) == ("done", "")
    found = list(EvidenceFile.objects.filter(job=job).values_list("path", "sha256"))
    expected = {
        f"seized/{name}.dd/{path}": sha256_hex(content)
        for name, files in images.items()
        for path, content in files.items()
    }
    inside = {path: bytes(digest).hex() for path, digest in found if path.count("/") == 2}
    assert inside == expected  # every file of both images, hashed right
    assert len([path for path, _ in found if path.count("/") == 2]) == len(expected)  # and each once
    assert {path for path, _ in found if path.count("/") == 1} == {"seized/a.dd", "seized/b.dd"}
    numbers = list(job.batches.values_list("number", flat=True))
    assert sorted(numbers) == list(range(1, len(numbers) + 1))
    assert not job.batches.exclude(status="done").exists()


@pytest.mark.postgresql(reason="two connections writing at once")
def test_a_batch_number_another_worker_takes_meanwhile_is_not_taken_twice(exhibit, owner):
    """The other worker inserts number 1 and commits while this one waits on it: this one takes 2."""
    job = IngestJob.objects.create(exhibit=exhibit, source_label="test", created_by=owner, status="running")
    inserted, release = threading.Event(), threading.Event()

    def other_worker():
        try:
            with transaction.atomic():
                IngestBatch.objects.create(job=job, number=1, kind=IngestBatch.Kind.IMAGE)
                inserted.set()
                release.wait(10)
        finally:
            connections.close_all()

    other = threading.Thread(target=other_worker)
    other.start()
    assert inserted.wait(10)
    threading.Timer(0.5, release.set).start()  # it commits while this insert waits on its number
    mine = ingest_batch_create(job=job, kind=IngestBatch.Kind.FILES)
    other.join(10)
    assert mine.number == 2
    assert sorted(job.batches.values_list("number", flat=True)) == [1, 2]
    assert ingest_batch_create(job=job, kind=IngestBatch.Kind.FILES).number == 3  # control: no one else
