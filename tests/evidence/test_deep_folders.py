"""A folder tree deeper than PATH_MAX is ingested to its end (issue 19, item 7)."""

import os

from evidence.ingest.jobs import ingest_job_create_from_path
from evidence.ingest.sources import PATH_MAX
from evidence.models import EvidenceFile, IngestJob
from evidence.selectors import ingest_job_progress
from tests.evidence.test_ingest import run_inline
from tests.evidence.test_sources import deep_tree
from tests.factories import sha256_hex


def ingest_here(exhibit, owner, folder) -> IngestJob:
    return run_inline(ingest_job_create_from_path(exhibit=exhibit, path=folder, by=owner, queue=False))


def test_files_below_path_max_are_ingested_with_their_whole_paths(exhibit, owner, tmp_path):
    source = tmp_path / "seized"
    source.mkdir()
    (source / "top.txt").write_bytes(b"top")
    deep = deep_tree(source)
    assert len(os.fsencode(os.path.join(source, deep[-1]))) > PATH_MAX

    job = ingest_here(exhibit, owner, source)

    assert job.status == IngestJob.Status.DONE and job.files_total == 3
    rows = {row.path: row for row in EvidenceFile.objects.filter(job=job)}
    assert sorted(rows) == sorted(["seized/top.txt", *(f"seized/{relative}" for relative in deep)])
    deepest = rows[f"seized/{deep[-1]}"]
    assert (deepest.error, deepest.sha256_hex, deepest.triage) == ("", sha256_hex(b"at depth 40\n"), "other")
    assert ingest_job_progress(job)["errors"] == 0


def test_a_shallow_folder_is_ingested_as_before(exhibit, owner, tmp_path):
    """Control: an ordinary tree gives its files, in order, with their digests and no error."""
    source = tmp_path / "seized"
    (source / "a" / "b").mkdir(parents=True)
    files = {"seized/one.txt": b"1", "seized/a/two.txt": b"22", "seized/a/b/three.txt": b"333"}
    for relative, content in files.items():
        (tmp_path / relative).write_bytes(content)

    job = ingest_here(exhibit, owner, source)

    rows = EvidenceFile.objects.filter(job=job).order_by("pk")
    assert [(row.path, row.sha256_hex, row.error) for row in rows] == [
        (relative, sha256_hex(content), "") for relative, content in files.items()
    ]
    assert job.status == IngestJob.Status.DONE and ingest_job_progress(job)["errors"] == 0
