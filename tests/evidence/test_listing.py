"""A batch's files are listed, then written once with their results (evidence.models.BatchListing)."""

import os
import threading
import time

import pytest
from django.db import connection, connections

from evidence.ingest import sources
from evidence.ingest.jobs import ingest_job_cancel, ingest_job_create_from_path
from evidence.ingest.pipeline import ingest_batch_process, ingest_job_enumerate
from evidence.models import BatchListing, EvidenceFile, IngestBatch, IngestJob
from evidence.selectors import exhibit_triage_totals, exhibits_with_counts
from reports.selectors import dossier_report_data, ingest_report_data
from tests.factories import sha256_hex, wait_until


def source_folder(root, count: int) -> dict[str, bytes]:
    (root / "src").mkdir()
    files = {f"f{number:02d}.txt": f"file {number}\n".encode() * (number + 1) for number in range(count)}
    for name, content in files.items():
        (root / "src" / name).write_bytes(content)
    os.symlink(root / "src" / "f00.txt", root / "src" / "link")  # an error found at listing
    return files


def pending_everywhere(exhibit, job) -> tuple[int, int, int, int]:
    """The pending count of each page that shows one: totals, exhibit list, dossier and ingest reports."""
    totals = {row["state"]: row["count"] for row in exhibit_triage_totals([exhibit.pk])}
    listed = exhibits_with_counts(exhibit.dossier).get(pk=exhibit.pk)
    dossier_rows = dossier_report_data(exhibit.dossier)["exhibits"]
    in_report = next(row["ingest"] for row in dossier_rows if row["exhibit"].pk == exhibit.pk)
    return totals["pending"], listed.pending_count, in_report["pending"], ingest_report_data(job)["ingest"]["pending"]


def test_listed_files_count_as_pending_and_are_written_once_with_their_results(exhibit, owner, tmp_path, settings):
    settings.INGEST_BATCH_FILES = 4
    files = source_folder(tmp_path, 10)
    job = ingest_job_create_from_path(exhibit=exhibit, path=tmp_path / "src", by=owner, queue=False)
    batches = ingest_job_enumerate(job=job)

    # Listed: only the link (an error) is a row yet; the ten files are pending on every page.
    assert list(EvidenceFile.objects.values_list("path", "triage")) == [("src/link", "error")]
    assert BatchListing.objects.filter(batch__job=job).count() == 3
    assert pending_everywhere(exhibit, job) == (10, 10, 10, 10)

    for batch_id in batches:
        ingest_batch_process(batch=IngestBatch.objects.get(pk=batch_id))

    assert not BatchListing.objects.exists()
    assert pending_everywhere(exhibit, job) == (0, 0, 0, 0)
    rows = list(EvidenceFile.objects.exclude(path="src/link").order_by("pk"))
    # Every file once, with its own digest, in the listing's order (ids reserved at listing on PostgreSQL).
    assert [row.path for row in rows] == [f"src/{name}" for name in sorted(files)]
    for row in rows:
        content = files[row.path.removeprefix("src/")]
        assert (row.sha256_hex, row.size, row.triage) == (sha256_hex(content), len(content), "other")
        assert row.modified_time is not None and row.inode == os.stat(tmp_path / row.path).st_ino
    totals = {row["state"]: row["count"] for row in exhibit_triage_totals([exhibit.pk])}
    assert (totals["other"], totals["error"]) == (10, 1)
    if connection.vendor == "postgresql":
        link = EvidenceFile.objects.get(path="src/link")
        assert all(row.pk < link.pk for row in rows)  # listed before the link, written after it


def test_a_cancelled_job_turns_its_listings_into_pending_rows_and_keeps_what_was_done(
    exhibit, owner, tmp_path, settings
):
    settings.INGEST_BATCH_FILES = 4
    files = source_folder(tmp_path, 10)
    job = ingest_job_create_from_path(exhibit=exhibit, path=tmp_path / "src", by=owner, queue=False)
    first, *rest = ingest_job_enumerate(job=job)
    ingest_batch_process(batch=IngestBatch.objects.get(pk=first))  # the control: a batch run before
    ingest_job_cancel(job=job, by=owner)
    assert pending_everywhere(exhibit, job) == (6, 6, 6, 6)  # still listed, not rows
    for batch_id in rest:
        ingest_batch_process(batch=IngestBatch.objects.get(pk=batch_id))
        ingest_batch_process(batch=IngestBatch.objects.get(pk=batch_id))  # a message delivered twice

    assert not BatchListing.objects.exists()
    assert pending_everywhere(exhibit, job) == (6, 6, 6, 6)  # now rows, each once
    assert EvidenceFile.objects.count() == len(files) + 1
    assert EvidenceFile.objects.filter(triage="other").count() == 4
    assert EvidenceFile.objects.filter(triage="pending", sha256=None).count() == 6


def test_cancelling_queues_the_batches_whose_messages_are_gone_and_a_worker_writes_their_files(
    celery_worker, exhibit, owner, tmp_path, settings
):
    settings.INGEST_BATCH_FILES = 4
    source_folder(tmp_path, 10)
    job = ingest_job_create_from_path(exhibit=exhibit, path=tmp_path / "src", by=owner, queue=False)
    first, *_rest = ingest_job_enumerate(job=job)  # listed, but no batch was ever queued
    ingest_batch_process(batch=IngestBatch.objects.get(pk=first))
    time.sleep(1)  # the control: the worker is up and nothing turns listings into rows by itself
    assert BatchListing.objects.filter(batch__job=job).count() == 2
    assert EvidenceFile.objects.filter(triage="pending").count() == 0

    ingest_job_cancel(job=job, by=owner)

    wait_until(lambda: not BatchListing.objects.exists())
    assert EvidenceFile.objects.filter(triage="pending", sha256=None).count() == 6
    assert EvidenceFile.objects.filter(triage="other").count() == 4
    assert pending_everywhere(exhibit, job) == (6, 6, 6, 6)


@pytest.mark.postgresql(reason="two transactions at once on the job's rows (SQLite locks the whole file)")
@pytest.mark.django_db(transaction=True)
def test_a_cancel_made_while_the_folder_is_listed_stands(exhibit, owner, tmp_path, settings, monkeypatch):
    """The investigator cancels from the page (another connection) while a worker lists the folder."""
    settings.INGEST_BATCH_FILES = 4
    files = source_folder(tmp_path, 10)
    job = ingest_job_create_from_path(exhibit=exhibit, path=tmp_path / "src", by=owner, queue=False)
    list_folder = sources.LISTERS["folder"]

    def listed_while_cancelled(path, display_name):
        for number, found in enumerate(list_folder(path, display_name)):
            if number == 5:  # half-way: the page's cancel, from another connection, commits now
                canceller = threading.Thread(target=cancel_from_another_connection, args=(job, owner))
                canceller.start()
                canceller.join()
            yield found

    monkeypatch.setitem(sources.LISTERS, "folder", listed_while_cancelled)
    batch_ids = ingest_job_enumerate(job=job)
    job.refresh_from_db()
    assert job.status == "cancelled" and job.files_total == len(files) + 1
    for batch_id in batch_ids:  # as the queued batches run: their files become pending rows
        ingest_batch_process(batch=IngestBatch.objects.get(pk=batch_id))
    job.refresh_from_db()
    assert job.status == "cancelled"
    assert not BatchListing.objects.exists()
    assert EvidenceFile.objects.filter(job=job, triage="pending").count() == len(files)
    # Control: the same listing without a cancel runs its job.
    (tmp_path / "again").mkdir()
    (tmp_path / "again" / "a.txt").write_bytes(b"a")
    monkeypatch.setitem(sources.LISTERS, "folder", list_folder)
    other = ingest_job_create_from_path(exhibit=exhibit, path=tmp_path / "again", by=owner, queue=False)
    ingest_job_enumerate(job=other)
    assert IngestJob.objects.get(pk=other.pk).status == "running"


def cancel_from_another_connection(job, owner):
    try:
        ingest_job_cancel(job=job, by=owner)
    finally:
        connections.close_all()
