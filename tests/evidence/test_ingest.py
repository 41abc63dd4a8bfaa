import hashlib
import io
import os
import random

import pytest
from PIL import Image

from config.messages import english
from evidence.ingest.jobs import ingest_job_cancel, ingest_job_create_from_path
from evidence.ingest.pipeline import batches, ingest_batch_process, ingest_job_enumerate
from evidence.ingest.uploads import ingest_job_create_from_uploads
from evidence.models import EvidenceFile, IngestBatch, IngestJob
from evidence.synthetic import synthetic_image_bytes
from tests.factories import image_files, make_hash_list, sha256_hex, zip_bytes


def run_inline(job: IngestJob) -> IngestJob:
    """Run the job's tasks in this process, in order (the pipeline tests use a real worker)."""
    queue = list(ingest_job_enumerate(job=job))
    while queue:
        queue += ingest_batch_process(batch=IngestBatch.objects.get(pk=queue.pop(0)))
    job.refresh_from_db()
    return job


def upload(name: str, content: bytes):
    stream = io.BytesIO(content)
    stream.name = name
    return stream


def test_every_file_gets_its_three_hashes_size_and_type(exhibit, owner, tmp_path, settings):
    settings.INGEST_BATCH_FILES = 2  # several batches
    files = image_files(tmp_path / "src", range(1, 6))
    (tmp_path / "src" / "notes.txt").write_text("hello\n")
    job = run_inline(ingest_job_create_from_path(exhibit=exhibit, path=tmp_path / "src", by=owner, queue=False))
    # Five photos in three media batches of two, the note in a batch of its own (the `ingest` queue).
    assert job.status == IngestJob.Status.DONE and job.batches.count() == 4
    assert sorted(job.batches.values_list("kind", flat=True)) == ["files", "media", "media", "media"]
    for name, content in files.items():
        record = EvidenceFile.objects.get(path=f"src/{name}")
        assert record.md5_hex == hashlib.md5(content).hexdigest()
        assert record.sha1_hex == hashlib.sha1(content).hexdigest()
        assert record.sha256_hex == sha256_hex(content)
        assert (record.size, record.mime, record.triage) == (len(content), "image/jpeg", "new_image")
    assert EvidenceFile.objects.get(path="src/notes.txt").mime == "text/plain"


def test_the_type_comes_from_the_content_not_the_name(exhibit, owner, tmp_path):
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "holiday.txt").write_bytes(synthetic_image_bytes(1, "PNG", size=(50, 50)))
    run_inline(ingest_job_create_from_path(exhibit=exhibit, path=tmp_path / "src", by=owner, queue=False))
    assert EvidenceFile.objects.get().mime == "image/png"


def test_known_files_are_recognised_with_their_list_and_category(exhibit, owner, admin, tmp_path):
    files = image_files(tmp_path / "src", range(1, 5))
    known = [sha256_hex(files["img1.jpg"]), hashlib.md5(files["img2.jpg"]).hexdigest()]
    make_hash_list("Alerts", known, by=admin, category="1")
    make_hash_list("Known good", [sha256_hex(files["img3.jpg"])], by=admin, kind="ignorable", category="")
    run_inline(ingest_job_create_from_path(exhibit=exhibit, path=tmp_path / "src", by=owner, queue=False))
    triage = {
        f.name: (f.triage, f.match_list.name if f.match_list else "", f.match_category)
        for f in EvidenceFile.objects.all()
    }
    assert triage == {
        "img1.jpg": ("known", "Alerts", "1"),
        "img2.jpg": ("known", "Alerts", "1"),
        "img3.jpg": ("known_good", "Known good", ""),
        "img4.jpg": ("new_image", "", ""),
    }


def test_an_alert_list_wins_over_a_known_good_list(exhibit, owner, admin, tmp_path):
    files = image_files(tmp_path / "src", [1])
    make_hash_list("Known good", [sha256_hex(files["img1.jpg"])], by=admin, kind="ignorable")
    make_hash_list("Alerts", [sha256_hex(files["img1.jpg"])], by=admin)
    run_inline(ingest_job_create_from_path(exhibit=exhibit, path=tmp_path / "src", by=owner, queue=False))
    assert EvidenceFile.objects.get().triage == "known"


def test_an_empty_file_is_an_error_and_never_matches_even_if_listed(exhibit, owner, admin, tmp_path):
    make_hash_list("Careless list", [hashlib.sha256(b"").hexdigest(), hashlib.md5(b"").hexdigest()], by=admin)
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "empty.dat").write_bytes(b"")
    (tmp_path / "src" / "one.dat").write_bytes(b"1")
    run_inline(ingest_job_create_from_path(exhibit=exhibit, path=tmp_path / "src", by=owner, queue=False))
    empty, one = EvidenceFile.objects.order_by("path")
    assert (empty.triage, english(empty.error), empty.match_list) == ("error", "empty file (0 bytes)", None)
    assert (one.triage, one.error) == ("other", "")


def test_corrupt_and_empty_uploads_are_recorded_and_the_rest_ingested(exhibit, owner):
    good = synthetic_image_bytes(5)
    job = ingest_job_create_from_uploads(
        exhibit=exhibit,
        by=owner,
        uploads=[upload("good.jpg", good), upload("broken.jpg", good[:3000]), upload("empty.jpg", b"")],
    )
    job = run_inline(job)
    files = {f.path: f for f in EvidenceFile.objects.all()}
    assert files["good.jpg"].triage == "new_image" and files["good.jpg"].sha256_hex == sha256_hex(good)
    assert files["broken.jpg"].triage == "error" and english(files["broken.jpg"].error).startswith("corrupt image")
    assert files["broken.jpg"].sha256_hex == sha256_hex(good[:3000])
    assert english(files["empty.jpg"].error) == "empty file (0 bytes)"
    assert job.status == IngestJob.Status.DONE


def test_an_uploaded_zip_is_ingested_with_each_member(exhibit, owner, settings):
    members = {"a/one.jpg": synthetic_image_bytes(1), "two.png": synthetic_image_bytes(2, "PNG")}
    archive = zip_bytes(members)
    job = run_inline(ingest_job_create_from_uploads(exhibit=exhibit, by=owner, uploads=[upload("seized.zip", archive)]))
    files = {f.path: f for f in EvidenceFile.objects.all()}
    assert set(files) == {"seized.zip", "seized.zip/a/one.jpg", "seized.zip/two.png"}
    assert files["seized.zip"].sha256_hex == sha256_hex(archive) and files["seized.zip"].mime == "application/zip"
    assert files["seized.zip/two.png"].sha256_hex == sha256_hex(members["two.png"])
    assert files["seized.zip/two.png"].container == files["seized.zip"]
    assert files["seized.zip/a/one.jpg"].archive_path == ["a/one.jpg"]
    assert (job.status, job.files_total, job.batches.count()) == ("done", 3, 2)


def test_archives_in_a_folder_are_walked_and_their_members_matched(exhibit, owner, admin, tmp_path):
    inner = synthetic_image_bytes(4)
    make_hash_list("Alerts", [sha256_hex(inner)], by=admin)
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "backup.zip").write_bytes(zip_bytes({"nested.zip": zip_bytes({"pic.jpg": inner})}))
    run_inline(ingest_job_create_from_path(exhibit=exhibit, path=tmp_path / "src", by=owner, queue=False))
    pic = EvidenceFile.objects.get(path="src/backup.zip/nested.zip/pic.jpg")
    assert (pic.triage, pic.match_list.name, pic.archive_path) == ("known", "Alerts", ["nested.zip", "pic.jpg"])


def test_an_archive_batch_run_twice_does_not_duplicate_members(exhibit, owner, tmp_path):
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "a.zip").write_bytes(zip_bytes({"x.txt": b"x", "y.txt": b"y"}))
    job = ingest_job_create_from_path(exhibit=exhibit, path=tmp_path / "src", by=owner, queue=False)
    [file_batch] = ingest_job_enumerate(job=job)
    [archive_batch_id] = ingest_batch_process(batch=IngestBatch.objects.get(pk=file_batch))
    archive_batch = IngestBatch.objects.get(pk=archive_batch_id)
    ingest_batch_process(batch=archive_batch)
    ingest_batch_process(batch=archive_batch)  # redelivered after a lost acknowledgement
    job.refresh_from_db()
    assert EvidenceFile.objects.filter(path__startswith="src/a.zip/").count() == 2
    assert job.files_total == 3 == EvidenceFile.objects.count()


def test_file_times_and_inode_are_kept(exhibit, owner, tmp_path):
    (tmp_path / "src").mkdir()
    photo = tmp_path / "src" / "p.bin"
    photo.write_bytes(b"p")
    os.utime(photo, (1_600_000_000, 1_500_000_000))
    run_inline(ingest_job_create_from_path(exhibit=exhibit, path=tmp_path / "src", by=owner, queue=False))
    record = EvidenceFile.objects.get()
    assert record.modified_time.timestamp() == 1_500_000_000 and record.accessed_time.timestamp() == 1_600_000_000
    assert record.inode == photo.stat().st_ino


def test_a_cancelled_job_processes_no_more_batches(exhibit, owner, tmp_path, settings):
    settings.INGEST_BATCH_FILES = 1
    image_files(tmp_path / "src", range(1, 4))
    job = ingest_job_create_from_path(exhibit=exhibit, path=tmp_path / "src", by=owner, queue=False)
    first, *rest = ingest_job_enumerate(job=job)
    ingest_batch_process(batch=IngestBatch.objects.get(pk=first))
    ingest_job_cancel(job=job, by=owner)
    for batch_id in rest:
        ingest_batch_process(batch=IngestBatch.objects.get(pk=batch_id))
    job.refresh_from_db()
    assert job.status == "cancelled"
    assert EvidenceFile.objects.filter(triage="new_image").count() == 1
    assert EvidenceFile.objects.filter(triage="pending").count() == 2


def test_uploads_are_kept_unchanged_and_read_only_in_the_content_addressed_store(exhibit, owner, settings):
    content = synthetic_image_bytes(3)
    ingest_job_create_from_uploads(exhibit=exhibit, by=owner, uploads=[upload("x.jpg", content)])
    digest = sha256_hex(content)
    stored = settings.EVIDENCE_ROOT / digest[:2] / digest
    assert stored.read_bytes() == content
    assert stored.stat().st_mode & 0o222 == 0


def test_a_batch_run_twice_neither_loses_nor_duplicates_a_file(exhibit, owner, tmp_path):
    image_files(tmp_path / "src", range(1, 4))
    job = ingest_job_create_from_path(exhibit=exhibit, path=tmp_path / "src", by=owner, queue=False)
    [batch_id] = ingest_job_enumerate(job=job)
    batch = IngestBatch.objects.get(pk=batch_id)
    ingest_batch_process(batch=batch)
    batch.status = IngestBatch.Status.RUNNING  # as if the acknowledgement was lost and the task redelivered
    ingest_batch_process(batch=batch)
    assert EvidenceFile.objects.count() == 3
    assert IngestBatch.objects.get(pk=batch_id).files_done == 3


@pytest.mark.parametrize("together", [1, 3, 32])
def test_files_typed_together_each_keep_their_own_type_digests_and_decode(
    exhibit, owner, tmp_path, monkeypatch, together
):
    """A batch reads and hashes its small files, then types them in groups (libmagic one file after
    the other); a file of several blocks is typed as it is read. Whatever the group, each file ends
    with its own type, digests and decode, and the batch counts its errors."""
    monkeypatch.setattr(batches, "TYPE_TOGETHER_FILES", together)
    rng = random.Random(4)
    noise = io.BytesIO()
    Image.frombytes("RGB", (700, 700), rng.randbytes(700 * 700 * 3)).save(noise, "PNG")
    photo = synthetic_image_bytes(1, "PNG", size=(160, 120))
    # Names without a media extension, so that every file goes to the same batch.
    expected = {
        "a01.dat": (b"plain text\n" * 20, "text/plain"),
        "a02.dat": (photo, "image/png"),
        "a03.dat": (rng.randbytes(3000), "application/octet-stream"),
        "a04.dat": (noise.getvalue(), "image/png"),  # over 1 MiB: several blocks
        "a05.dat": (photo, "image/png"),  # a copy of a02
        "a06.dat": (b"", "application/x-empty"),
        "a07.dat": (synthetic_image_bytes(2, size=(160, 120)), "image/jpeg"),
        "a08.dat": (b"more text\n" * 5, "text/plain"),
    }
    assert len(expected["a04.dat"][0]) > 1 << 20
    (tmp_path / "src").mkdir()
    for name, (content, _mime) in expected.items():
        (tmp_path / "src" / name).write_bytes(content)

    job = run_inline(ingest_job_create_from_path(exhibit=exhibit, path=tmp_path / "src", by=owner, queue=False))

    rows = {row.path.removeprefix("src/"): row for row in EvidenceFile.objects.filter(job=job)}
    assert sorted(rows) == sorted(expected)
    for name, (content, mime) in expected.items():
        row = rows[name]
        assert (row.mime, row.sha256_hex, row.size) == (mime, sha256_hex(content), len(content)), name
    decoded = {name for name, row in rows.items() if row.phash is not None and row.thumbnail}
    assert decoded == {"a02.dat", "a04.dat", "a05.dat", "a07.dat"}
    assert rows["a05.dat"].phash == rows["a02.dat"].phash
    assert "same content as src/a02.dat: decoded once for both" in [english(f) for f in rows["a05.dat"].findings]
    assert english(rows["a06.dat"].error) == "empty file (0 bytes)"
    assert [(b.files_count, b.files_done, b.errors) for b in IngestBatch.objects.filter(job=job)] == [(8, 8, 1)]
