"""Acquisition verification: an image's media hashes against the E01's and the exhibit's acquisition hashes."""

import hashlib

from django.utils import timezone

from audit.models import AuditEvent
from config.messages import english
from evidence.custody import verification
from evidence.custody.services import acquisition_record
from evidence.ingest.jobs import ingest_job_create_from_path
from evidence.models import EvidenceFile, ImageVerification
from evidence.selectors import ingest_job_progress
from tests.evidence.disk_fixtures import e01, fat_image, needs_tools
from tests.evidence.test_disk_images import GONE, PHOTOS
from tests.evidence.test_ingest import run_inline

BIG = {**PHOTOS, "big.bin": bytes(range(256)) * 12_000}


def test_comparisons_say_match_mismatch_or_nothing_to_compare_with():
    computed = {"md5": "aa", "sha1": "bb", "sha256": "cc"}
    rows = verification.compare(computed, [("E01", {"md5": "AA", "sha1": "bb"}), ("examiner", {"sha256": "cd"})])
    assert [(row.source, row.algorithm, row.result) for row in rows] == [
        ("E01", "md5", "match"),
        ("E01", "sha1", "match"),
        ("examiner", "sha256", "mismatch"),
    ]
    assert verification.overall(rows, read_in_full=True) == "mismatch"
    assert verification.overall(rows[:2], read_in_full=True) == "match"
    assert verification.overall([], read_in_full=True) == "not_available"
    assert verification.overall(rows[:2], read_in_full=False) == "error"


def ingest(exhibit, owner, path):
    return run_inline(ingest_job_create_from_path(exhibit=exhibit, path=path, by=owner, queue=False))


@needs_tools
def test_an_e01_matches_its_stored_hashes_and_the_page_and_audit_log_say_so(client, exhibit, owner, tmp_path):
    raw = fat_image(tmp_path / "fat.img", BIG, GONE)
    source = tmp_path / "case"
    source.mkdir()
    e01(source / "usb", raw)
    job = ingest(exhibit, owner, source / "usb.E01")
    assert job.status == "done"
    # The image's own batches (listing, verification) count no file: the progress says "5 of 5".
    assert ingest_job_progress(job)["files_done"] == job.files_total == EvidenceFile.objects.count()
    image = ImageVerification.objects.get()
    media = raw.read_bytes()
    assert image.md5_hex == hashlib.md5(media).hexdigest() and image.sha256_hex == hashlib.sha256(media).hexdigest()
    assert image.stored_hashes == {"md5": hashlib.md5(media).hexdigest(), "sha1": hashlib.sha1(media).hexdigest()}
    assert (image.result, image.media_size, image.image_format) == ("match", len(media), "e01")
    event = AuditEvent.objects.get(action="acquisition.verify")
    assert event.detail["result"] == "match" and len(event.detail["comparisons"]) == 2
    client.force_login(owner)
    page = client.get(exhibit.get_absolute_url()).content.decode()
    assert 'data-verification="match"' in page and hashlib.sha256(media).hexdigest() in page


@needs_tools
def test_a_wrong_acquisition_hash_entered_on_the_exhibit_is_shown_as_a_mismatch(client, exhibit, owner, tmp_path):
    raw = fat_image(tmp_path / "fat.img", BIG)
    media = raw.read_bytes()
    source = tmp_path / "case"
    source.mkdir()
    e01(source / "usb", raw)
    acquisition_record(
        exhibit=exhibit,
        examiner="Insp. Peeters",
        tool="ewfacquire",
        tool_version="20140814",
        image_format="e01",
        started_at=timezone.now(),
        by=owner,
        md5=bytes(16),  # a typing mistake, or another disk
    )
    ingest(exhibit, owner, source / "usb.E01")
    assert ImageVerification.objects.get().result == "mismatch"
    client.force_login(owner)
    page = client.get(exhibit.get_absolute_url()).content.decode()
    assert 'data-verification="mismatch"' in page and "0" * 32 in page
    assert AuditEvent.objects.filter(action="acquisition.verify").order_by("id").last().detail["result"] == "mismatch"
    # Control: the right hash, recorded afterwards, is checked at once; the wrong one still shows.
    acquisition_record(
        exhibit=exhibit,
        examiner="Insp. Peeters",
        tool="ewfacquire",
        tool_version="20140814",
        image_format="e01",
        started_at=timezone.now(),
        by=owner,
        sha256=hashlib.sha256(media).digest(),
    )
    last = AuditEvent.objects.filter(action="acquisition.verify").order_by("id").last()
    assert last.actor == owner and [row["result"] for row in last.detail["comparisons"]].count("match") == 3
    exhibit.acquisitions.filter(md5=bytes(16)).delete()
    page = client.get(exhibit.get_absolute_url()).content.decode()
    assert 'data-verification="match"' in page


@needs_tools
def test_a_corrupt_e01_is_a_mismatch_with_a_finding_and_the_good_one_beside_it_matches(exhibit, owner, tmp_path):
    raw = fat_image(tmp_path / "fat.img", BIG, GONE)
    source = tmp_path / "case"
    source.mkdir()
    good = e01(source / "good", raw)
    data = bytearray(good.read_bytes())
    inside = data.find(bytes(range(256)) * 4) + 100_000  # in big.bin's content (libewf zero-fills a bad chunk)
    data[inside : inside + 4096] = bytes(b ^ 0x55 for b in data[inside : inside + 4096])  # bytes flipped
    (source / "flipped.E01").write_bytes(data)
    job = ingest(exhibit, owner, source)
    assert job.status == "done"
    results = {v.file.path: v.result for v in ImageVerification.objects.select_related("file")}
    assert results == {"case/good.E01": "match", "case/flipped.E01": "mismatch"}
    flipped = EvidenceFile.objects.get(path="case/flipped.E01")
    assert any("does not match the hash stored in the image" in finding for finding in map(english, flipped.findings))
    assert EvidenceFile.objects.get(path="case/good.E01").findings == []
    assert EvidenceFile.objects.filter(path__startswith="case/good.E01/", error="").count() >= 3


@needs_tools
def test_a_raw_image_without_acquisition_hashes_has_nothing_to_compare_with(exhibit, owner, tmp_path):
    raw = fat_image(tmp_path / "fat.img", PHOTOS)
    source = tmp_path / "case"
    source.mkdir()
    (source / "card.dd").write_bytes(raw.read_bytes())
    ingest(exhibit, owner, source / "card.dd")
    image = ImageVerification.objects.get()
    assert (image.result, image.image_format, image.sha256_hex) == (
        "not_available",
        "raw",
        hashlib.sha256(raw.read_bytes()).hexdigest(),
    )
