"""A master boot record with one bad entry: the sound partitions beside it are still read."""

import pytest

from config.messages import english
from evidence.ingest.disk_files import walk_image
from evidence.ingest.disk_images import open_image
from evidence.ingest.jobs import ingest_job_create_from_path
from evidence.ingest.mbr import mbr_entries
from evidence.models import EvidenceFile
from tests.evidence.disk_fixtures import fat_image, mbr_disk, needs_tools
from tests.evidence.test_ingest import run_inline
from tests.factories import sha256_hex

pytestmark = needs_tools

FIRST = {"DCIM/p1.jpg": b"\xff\xd8 first partition's photo " * 40, "notes.txt": b"first partition\n"}
SECOND = {"mail/letter.txt": b"second partition\n" * 30}


def ingest_disk(exhibit, owner, tmp_path, bad_entry):
    first = fat_image(tmp_path / "first.img", FIRST, size_kib=2048)
    second = fat_image(tmp_path / "second.img", SECOND, size_kib=2048)
    source = tmp_path / "case"
    source.mkdir()
    mbr_disk(source / "disk.dd", first, second, bad_entry=bad_entry)
    job = run_inline(ingest_job_create_from_path(exhibit=exhibit, path=source, by=owner, queue=False))
    assert job.status == "done"
    return {f.path: f for f in EvidenceFile.objects.filter(job=job)}


EXPECTED = {
    **{f"case/disk.dd/partition1/{name}": sha256_hex(content) for name, content in FIRST.items()},
    **{f"case/disk.dd/partition2/{name}": sha256_hex(content) for name, content in SECOND.items()},
}


# Entry 1 or 2 past the end makes The Sleuth Kit reject the whole table; entry 3 it takes, and
# the entry's missing partition was skipped without a word.
@pytest.mark.parametrize("bad_entry", [1, 3])
def test_an_entry_past_the_end_is_a_finding_and_both_sound_partitions_are_ingested(exhibit, owner, tmp_path, bad_entry):
    files = ingest_disk(exhibit, owner, tmp_path, bad_entry)
    inside = {path: f.sha256_hex for path, f in files.items() if path.startswith("case/disk.dd/")}
    assert inside == EXPECTED
    assert not any(f.error for f in files.values())
    findings = files["case/disk.dd"].findings
    assert [finding for finding in map(english, findings) if finding.startswith("partition table: ")] == [
        f"partition table: entry {bad_entry} (type 0x0c) starts at sector 1,010,240, past the end of the image"
        f" (10,240 sectors): not read{'; the other entries were read one by one' if bad_entry == 1 else ''}"
    ]


def test_the_same_disk_with_a_sound_table_reads_the_same_files_with_no_finding(exhibit, owner, tmp_path):
    files = ingest_disk(exhibit, owner, tmp_path, bad_entry=None)
    inside = {path: f.sha256_hex for path, f in files.items() if path.startswith("case/disk.dd/")}
    assert inside == EXPECTED
    assert files["case/disk.dd"].findings == []


def test_a_bare_file_system_s_boot_sector_is_not_taken_for_a_partition_table(tmp_path):
    """A FAT boot sector ends in 0x55AA like an MBR; its boot code must not read as bad entries."""
    image_path = fat_image(tmp_path / "bare.img", FIRST, size_kib=2048)
    boot = bytearray(image_path.read_bytes()[:512])
    # Boot code that reads as four entries starting far past the end, with valid boot flags.
    boot[446:510] = (b"\x00" + bytes(range(1, 16))) * 4
    with image_path.open("r+b") as image_file:
        image_file.write(boot)
    image = open_image(str(image_path))
    findings: list[str] = []
    try:
        files = {found.path: found.error for found in walk_image(image, "bare", findings)}
    finally:
        image.close()
    assert files == {"bare/DCIM/p1.jpg": "", "bare/notes.txt": ""}
    assert findings == []
    assert len(mbr_entries(bytes(boot))) == 4  # it does look like a table: the file system says it is not
