"""Disk images: every file's SHA-256 against the source, deleted files included."""

import hashlib

from config.messages import english
from evidence.ingest.disk_files import ImageReader, walk_image
from evidence.ingest.disk_images import image_kind, open_image
from evidence.ingest.jobs import ingest_job_create_from_path
from evidence.models import EvidenceFile
from evidence.synthetic import synthetic_image_bytes
from tests.evidence.disk_fixtures import e01, ext4_image, fat_image, needs_tools, partitioned
from tests.evidence.test_ingest import run_inline
from tests.factories import make_hash_list, sha256_hex

pytestmark = needs_tools

PHOTOS = {"DCIM/p1.jpg": synthetic_image_bytes(1, size=(120, 90)), "notes.txt": b"meeting at noon\n"}
GONE = {"gone.jpg": synthetic_image_bytes(2, size=(120, 90))}


def contents(image_path, shown="disk"):
    """path -> (sha256 of what the image gives back, deleted?) for every regular file."""
    image = open_image(str(image_path))
    found = {}
    with ImageReader() as reader:
        for item in walk_image(image, shown):
            if item.inode and not item.error:
                data = b"".join(reader.read(str(image_path), item.offset, item.inode))
                found[item.path] = (hashlib.sha256(data).hexdigest(), item.deleted)
    image.close()
    return found


def test_a_fat_image_gives_back_every_file_and_the_deleted_one(tmp_path):
    image = fat_image(tmp_path / "fat.img", PHOTOS, GONE)
    found = contents(image)
    assert found["disk/DCIM/p1.jpg"] == (sha256_hex(PHOTOS["DCIM/p1.jpg"]), False)
    assert found["disk/notes.txt"] == (sha256_hex(PHOTOS["notes.txt"]), False)
    # FAT overwrites a deleted name's first letter: the content is found by its hash.
    deleted = {digest for digest, is_deleted in found.values() if is_deleted}
    assert deleted == {sha256_hex(GONE["gone.jpg"])}


def test_an_ext4_image_gives_back_every_file_and_marks_the_deleted_one(tmp_path):
    image = ext4_image(tmp_path / "ext4.img", {**PHOTOS, **GONE}, deleted=("gone.jpg",))
    found = contents(image)
    assert found["disk/DCIM/p1.jpg"] == (sha256_hex(PHOTOS["DCIM/p1.jpg"]), False)
    assert any(path.endswith("gone.jpg") and is_deleted for path, (_, is_deleted) in found.items())


def test_a_partitioned_disk_is_read_partition_by_partition(tmp_path):
    disk = partitioned(tmp_path / "disk.dd", fat_image(tmp_path / "fat.img", PHOTOS))
    assert image_kind(disk.read_bytes()[:4096]) == "raw"
    found = contents(disk)
    assert found == {
        "disk/partition1/DCIM/p1.jpg": (sha256_hex(PHOTOS["DCIM/p1.jpg"]), False),
        "disk/partition1/notes.txt": (sha256_hex(PHOTOS["notes.txt"]), False),
    }


def test_an_e01_and_a_split_e01_read_like_the_raw_image(tmp_path):
    raw = fat_image(tmp_path / "fat.img", PHOTOS, GONE)
    single = e01(tmp_path / "single", raw)
    split = e01(tmp_path / "split", raw, segment_bytes=1024 * 1024)
    assert (tmp_path / "split.E02").exists()
    assert contents(single) == contents(raw) == contents(split)
    stored = open_image(str(single)).stored_hashes()
    assert stored["md5"] == hashlib.md5(raw.read_bytes()).hexdigest()


def test_something_that_is_not_a_disk_image_is_not_taken_for_one(tmp_path):
    assert image_kind(synthetic_image_bytes(1)[:4096]) == ""
    assert image_kind(fat_image(tmp_path / "fat.img", {}).read_bytes()[:4096]) == "raw"  # control


def test_a_disk_image_is_ingested_with_its_deleted_files_and_matched(exhibit, owner, admin, tmp_path):
    raw = fat_image(tmp_path / "fat.img", PHOTOS, GONE)
    make_hash_list("Alerts", [sha256_hex(GONE["gone.jpg"])], by=admin)
    source = tmp_path / "case"
    source.mkdir()
    image = e01(source / "usb", raw)
    job = run_inline(ingest_job_create_from_path(exhibit=exhibit, path=image, by=owner, queue=False))
    assert job.status == "done"
    files = {f.path: f for f in EvidenceFile.objects.all()}
    assert files["usb.E01"].sha256_hex == sha256_hex(image.read_bytes())
    assert files["usb.E01/DCIM/p1.jpg"].sha256_hex == sha256_hex(PHOTOS["DCIM/p1.jpg"])
    assert files["usb.E01/DCIM/p1.jpg"].mime == "image/jpeg" and files["usb.E01/DCIM/p1.jpg"].triage == "new_image"
    [deleted] = [f for f in files.values() if f.is_deleted]
    assert (deleted.sha256_hex, deleted.triage, deleted.match_list.name) == (
        sha256_hex(GONE["gone.jpg"]),
        "known",
        "Alerts",
    )
    assert job.files_total == len(files) == 4


def test_a_truncated_image_is_recorded_file_by_file_and_the_job_still_ends(exhibit, owner, tmp_path):
    raw = fat_image(tmp_path / "fat.img", PHOTOS)
    source = tmp_path / "case"
    source.mkdir()
    truncated = source / "cut.dd"
    truncated.write_bytes(raw.read_bytes()[: 32 * 1024])  # the tables survive, the data area (32 KiB on) does not
    job = run_inline(ingest_job_create_from_path(exhibit=exhibit, path=truncated, by=owner, queue=False))
    assert job.status == "done"
    assert EvidenceFile.objects.get(path="cut.dd").sha256_hex == sha256_hex(truncated.read_bytes())
    inside = EvidenceFile.objects.filter(path__startswith="cut.dd/")
    assert inside.count() == 2
    assert all(f.triage == "error" and english(f.error).startswith("unreadable") for f in inside), [
        f.error for f in inside
    ]
