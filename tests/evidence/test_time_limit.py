"""A batch past its queue's time limit: its unprocessed files are recorded with the reason; the job ends."""

from config.messages import english
from evidence.ingest.failures import ingest_batch_give_up
from evidence.ingest.jobs import ingest_job_create_from_path
from evidence.ingest.pipeline import ingest_batch_process, ingest_job_enumerate
from evidence.models import EvidenceFile, IngestBatch, IngestJob
from tests.factories import image_files


def test_a_batch_given_up_records_its_files_as_not_processed_and_the_job_finishes(exhibit, owner, tmp_path, settings):
    settings.DERIVED_ROOT = tmp_path / "derived"
    image_files(tmp_path / "src", range(1, 4))
    (tmp_path / "src" / "notes.txt").write_text("hello\n")
    job = ingest_job_create_from_path(exhibit=exhibit, path=tmp_path / "src", by=owner, queue=False)
    batches = {IngestBatch.objects.get(pk=pk).kind: pk for pk in ingest_job_enumerate(job=job)}
    ingest_batch_process(batch=IngestBatch.objects.get(pk=batches["files"]))  # control: done normally
    ingest_batch_give_up(
        batch=IngestBatch.objects.get(pk=batches["media"]), reason="not processed within the worker's time limit"
    )
    job = IngestJob.objects.get(pk=job.pk)
    assert job.status == "done"
    photos = EvidenceFile.objects.filter(batch_id=batches["media"])
    assert {(f.triage, english(f.error)) for f in photos} == {("error", "not processed within the worker's time limit")}
    assert photos.count() == 3
    assert EvidenceFile.objects.get(path="src/notes.txt").triage == "other"
    assert IngestBatch.objects.get(pk=batches["media"]).errors == 3
