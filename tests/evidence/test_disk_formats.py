"""VMDK, GPT, NTFS and exFAT, built at test time: every file's SHA-256 against the source, deleted included."""

import random

from evidence.ingest.disk_images import image_kind, open_image
from evidence.ingest.jobs import ingest_job_create_from_path
from evidence.models import EvidenceFile
from evidence.synthetic import synthetic_image_bytes
from tests.evidence.disk_fixtures import (
    exfat_image,
    fat_image,
    gpt_disk,
    needs_more_tools,
    needs_tools,
    ntfs_image,
    vmdk,
)
from tests.evidence.test_disk_images import GONE, PHOTOS, contents
from tests.evidence.test_ingest import run_inline
from tests.factories import sha256_hex

pytestmark = [needs_tools, needs_more_tools]

ROOT_FILES = {
    "photo.jpg": synthetic_image_bytes(3, size=(160, 120)),
    "notes.txt": b"meeting at noon\n",
    "noise.bin": random.Random(4).randbytes(300_000),  # many clusters
}


def suspect_files(found: dict) -> dict:
    """Leave out the file systems' own files ($MFT, $UPCASE_TABLE...): what a user put there."""
    return {path: value for path, value in found.items() if not path.rsplit("/", 1)[-1].startswith("$")}


def test_a_vmdk_reads_like_the_raw_image_it_was_made_from(tmp_path):
    raw = fat_image(tmp_path / "fat.img", PHOTOS, GONE)
    disk = vmdk(tmp_path / "disk.vmdk", raw)
    assert image_kind(disk.read_bytes()[:4096]) == "vmdk"
    assert contents(disk) == contents(raw)
    assert contents(disk)["disk/DCIM/p1.jpg"] == (sha256_hex(PHOTOS["DCIM/p1.jpg"]), False)
    assert open_image(str(disk)).get_size() == raw.stat().st_size


def test_an_ntfs_volume_gives_back_every_file_and_the_deleted_one(tmp_path):
    gone = {"gone.jpg": GONE["gone.jpg"]}
    found = suspect_files(contents(ntfs_image(tmp_path / "ntfs.img", ROOT_FILES, gone)))
    for name, content in ROOT_FILES.items():
        assert found[f"disk/{name}"] == (sha256_hex(content), False)
    # The deleted file is found through its MFT record (The Sleuth Kit's $OrphanFiles).
    assert found["disk/$OrphanFiles/gone.jpg"] == (sha256_hex(gone["gone.jpg"]), True)


def test_an_exfat_volume_gives_back_every_file_and_the_deleted_one(tmp_path):
    gone = {"gone.jpg": GONE["gone.jpg"]}
    found = suspect_files(contents(exfat_image(tmp_path / "exfat.img", ROOT_FILES, gone)))
    assert found == {
        **{f"disk/{name}": (sha256_hex(content), False) for name, content in ROOT_FILES.items()},
        "disk/gone.jpg": (sha256_hex(gone["gone.jpg"]), True),
    }


def test_a_gpt_disk_is_read_partition_by_partition(tmp_path):
    fat = fat_image(tmp_path / "fat.img", PHOTOS)
    ntfs = ntfs_image(tmp_path / "ntfs.img", {"notes.txt": ROOT_FILES["notes.txt"]})
    disk = gpt_disk(tmp_path / "gpt.dd", fat, ntfs)
    assert disk.read_bytes()[512:520] == b"EFI PART" and image_kind(disk.read_bytes()[:4096]) == "raw"
    found = suspect_files(contents(disk))
    assert found == {
        "disk/partition1/DCIM/p1.jpg": (sha256_hex(PHOTOS["DCIM/p1.jpg"]), False),
        "disk/partition1/notes.txt": (sha256_hex(PHOTOS["notes.txt"]), False),
        "disk/partition2/notes.txt": (sha256_hex(ROOT_FILES["notes.txt"]), False),
    }


def test_a_vmdk_of_a_gpt_disk_with_ntfs_and_exfat_is_ingested(exhibit, owner, tmp_path):
    gone = {"gone.jpg": GONE["gone.jpg"]}
    ntfs = ntfs_image(tmp_path / "ntfs.img", ROOT_FILES, gone)
    exfat = exfat_image(tmp_path / "exfat.img", {"card.jpg": PHOTOS["DCIM/p1.jpg"]}, gone)
    source = tmp_path / "case"
    source.mkdir()
    vmdk(source / "laptop.vmdk", gpt_disk(tmp_path / "gpt.dd", ntfs, exfat))
    job = run_inline(ingest_job_create_from_path(exhibit=exhibit, path=source, by=owner, queue=False))
    assert job.status == "done"
    files = {f.path: f for f in EvidenceFile.objects.exclude(path__regex=r"/\$[^/]*$")}
    for name, content in ROOT_FILES.items():
        assert files[f"case/laptop.vmdk/partition1/{name}"].sha256_hex == sha256_hex(content)
    card = files["case/laptop.vmdk/partition2/card.jpg"]
    assert (card.sha256_hex, card.triage) == (sha256_hex(PHOTOS["DCIM/p1.jpg"]), "new_image")
    deleted = [f for f in files.values() if f.is_deleted and not f.error]
    assert sorted(f.path.split("/")[2] for f in deleted) == ["partition1", "partition2"]
    assert all(f.sha256_hex == sha256_hex(gone["gone.jpg"]) for f in deleted)
    # The NTFS system files are evidence too; $MFT is inode 0 and is read from the image, not the file.
    mft = EvidenceFile.objects.get(path="case/laptop.vmdk/partition1/$MFT")
    assert mft.error == "" and mft.inode == 0 and mft.sha256_hex != files["case/laptop.vmdk"].sha256_hex
