"""Images and videos go to the `media` queue, so a site can give that CPU-heavy work hosts of its own."""

import pytest

from evidence.ingest.jobs import ingest_job_create_from_path
from evidence.models import EvidenceFile, IngestBatch, IngestJob
from evidence.synthetic import synthetic_image_bytes
from tests.evidence.test_worker_faults import worker_process
from tests.factories import image_files, make_exhibit, video_bytes, wait_until

pytestmark = pytest.mark.django_db(transaction=True)
RESULT = (
    "size",
    "mime",
    "md5",
    "sha256",
    "phash",
    "pdq",
    "width",
    "height",
    "duration",
    "thumbnail",
    "triage",
    "error",
)


def seized_card(folder):
    """Photos, a video, a renamed photo and ordinary files, as on a memory card."""
    image_files(folder / "DCIM", range(1, 6))
    image_files(folder / "DCIM", [7], fmt="PNG")
    (folder / "DCIM" / "clip.mp4").write_bytes(video_bytes([1, 2]))
    # A photo whose name hides it: routed as a plain file, processed as an image all the same.
    (folder / "notes-backup.dat").write_bytes(synthetic_image_bytes(8, size=(160, 120)))
    for number in range(4):
        (folder / f"doc{number}.txt").write_text(f"note {number}\n" * 50)
    return folder


def results(job) -> dict[str, tuple]:
    return {
        f.path.split("/", 1)[1]: tuple(
            bytes(v) if isinstance(v, memoryview) else v for v in (getattr(f, name) for name in RESULT)
        )
        for f in EvidenceFile.objects.filter(job=job)
    }


def run(job_of, workers):
    try:
        job = job_of()
        wait_until(lambda: IngestJob.objects.get(pk=job.pk).is_finished, timeout=180)
    finally:
        for worker in workers:
            worker.terminate()
        for worker in workers:
            worker.wait(timeout=60)
    job.refresh_from_db()
    return job


@pytest.mark.postgresql(reason="runs worker processes against the test database")
def test_a_media_host_and_an_ingest_host_share_a_job_with_the_result_of_one_worker(dossier, exhibit, owner, tmp_path):
    card = seized_card(tmp_path / "card")
    split = run(
        lambda: ingest_job_create_from_path(exhibit=exhibit, path=card, by=owner),
        [
            worker_process(tmp_path, queues="ingest", name="hashing", batch_files=2),
            worker_process(tmp_path, queues="media", name="media", batch_files=2),
        ],
    )
    assert split.status == "done"
    # Each kind of batch ran only on the host bound to its queue.
    ran = {(kind, worker.split("-")[0]) for kind, worker in split.batches.values_list("kind", "worker")}
    assert ran == {(IngestBatch.Kind.FILES, "hashing"), (IngestBatch.Kind.MEDIA, "media")}
    media_files = EvidenceFile.objects.filter(job=split, batch__kind=IngestBatch.Kind.MEDIA)
    assert {f.path.rsplit("/", 1)[1] for f in media_files} == {
        *(f"img{n}.jpg" for n in range(1, 6)),
        "img7.png",
        "clip.mp4",
    }

    # Control: one worker consuming every queue, on the same card, gives exactly the same result.
    alone = run(
        lambda: ingest_job_create_from_path(exhibit=make_exhibit(dossier, "SC-2", by=owner), path=card, by=owner),
        [worker_process(tmp_path, queues="default,ingest,media,lists", name="alone", batch_files=2)],
    )
    assert alone.status == "done"
    assert results(split) == results(alone)
    by_name = results(split)
    assert by_name["DCIM/clip.mp4"][RESULT.index("duration")]  # the video was sampled (on the media host)
    renamed = by_name["notes-backup.dat"]
    assert renamed[RESULT.index("phash")] and renamed[RESULT.index("thumbnail")]  # decoded on the ingest host
    assert all(r[RESULT.index("error")] == "" for r in by_name.values())
