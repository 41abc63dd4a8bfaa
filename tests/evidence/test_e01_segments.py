"""A split E01 as seized: a folder of segments (E01, E02...) is one image, listed once."""

import os
import struct

from config.messages import english
from evidence.ingest.disk_images import ewf_segment_number, image_to_expand
from evidence.ingest.jobs import ingest_job_create_from_path
from evidence.models import EvidenceFile, IngestBatch
from tests.evidence.disk_fixtures import e01, fat_image, needs_tools
from tests.evidence.test_ingest import run_inline
from tests.factories import sha256_hex

pytestmark = needs_tools

FILES = {f"doc{number}.txt": f"page {number}\n".encode() * 3000 for number in range(7)}


def split_e01(folder, raw_folder):
    """The FAT image of FILES, acquired in segments of 1 MiB: usb.E01 ... usb.E0n in ``folder``."""
    raw = fat_image(raw_folder / "usb.raw", FILES)
    e01(folder / "usb", raw, segment_bytes=1 << 20)
    segments = sorted(path.name for path in folder.iterdir())
    assert len(segments) >= 3, segments
    return segments


def test_each_segment_says_its_number_and_only_the_first_is_an_image_to_list(tmp_path):
    (tmp_path / "seized").mkdir()
    (tmp_path / "raw").mkdir()
    segments = split_e01(tmp_path / "seized", tmp_path / "raw")
    heads = [(tmp_path / "seized" / name).read_bytes()[:4096] for name in segments]
    assert [ewf_segment_number(head) for head in heads] == list(range(1, len(segments) + 1))
    assert [image_to_expand(head) for head in heads] == [True] + [False] * (len(segments) - 1)
    raw_head = (tmp_path / "raw" / "usb.raw").read_bytes()[:4096]
    assert ewf_segment_number(raw_head) == 0 and image_to_expand(raw_head)  # control: a raw image is one


def test_a_folder_holding_a_split_e01_lists_the_image_once(exhibit, owner, tmp_path):
    seized = tmp_path / "seized"
    seized.mkdir()
    (tmp_path / "raw").mkdir()
    segments = split_e01(seized, tmp_path / "raw")
    (seized / "label.txt").write_bytes(b"exhibit 12, seal 0042\n")
    job = run_inline(ingest_job_create_from_path(exhibit=exhibit, path=seized, by=owner, queue=False))
    assert (job.status, job.error) == ("done", "")
    inside = EvidenceFile.objects.filter(job=job, container__isnull=False)
    assert sorted(inside.values_list("path", flat=True)) == sorted(f"seized/usb.E01/{name}" for name in FILES)
    assert {f.path: f.sha256_hex for f in inside} == {f"seized/usb.E01/{n}": sha256_hex(c) for n, c in FILES.items()}
    assert IngestBatch.objects.filter(job=job, kind="image").count() == 1
    assert IngestBatch.objects.filter(job=job, kind="verify").count() == 1
    # Every segment is still a file of the exhibit, hashed; the later ones say where their content went.
    outside = {f.path: f for f in EvidenceFile.objects.filter(job=job, container__isnull=True)}
    assert set(outside) == {f"seized/{name}" for name in segments} | {"seized/label.txt"}
    for number, name in enumerate(segments, start=1):
        assert outside[f"seized/{name}"].sha256_hex == sha256_hex((seized / name).read_bytes())
        assert bool(outside[f"seized/{name}"].findings) == (number > 1)
    assert "segment 2 of a split E01 image" in english(outside["seized/usb.E02"].findings[0])
    assert job.files_total == len(outside) + len(FILES)


def two_partitions(path, first, second):
    """An MBR disk: ``first`` from sector 2048, ``second`` right after it."""
    data = [first.read_bytes(), second.read_bytes()]
    mbr = bytearray(512)
    start = 2048
    for number, content in enumerate(data):
        entry = struct.pack("<B3sB3sII", 0, b"\x00\x02\x00", 0x0C, b"\xff\xff\xff", start, len(content) // 512)
        mbr[446 + 16 * number : 462 + 16 * number] = entry
        start += len(content) // 512
    mbr[510:512] = b"\x55\xaa"
    path.write_bytes(bytes(mbr) + b"\x00" * (2048 * 512 - 512) + data[0] + data[1])
    return path


def test_a_cut_segment_loses_only_the_file_stored_in_it(exhibit, owner, tmp_path):
    first = {f"a{number}.txt": f"first {number}\n".encode() * 3000 for number in range(3)}
    second = {"b0.txt": b"second\n" * 3000, "big.bin": os.urandom(3_800_000)}  # up to the last segments
    raw = tmp_path / "raw"
    raw.mkdir()
    disk = two_partitions(
        raw / "disk.dd",
        fat_image(raw / "p1.img", first, size_kib=4096),
        fat_image(raw / "p2.img", second, size_kib=4096),
    )
    seized = tmp_path / "seized"
    seized.mkdir()
    e01(seized / "disk", disk, segment_bytes=1 << 20)
    damaged = sorted(seized.iterdir())[-2]  # the segment before the last: big.bin's end
    damaged.write_bytes(damaged.read_bytes()[: damaged.stat().st_size // 2])  # cut while copied
    job = run_inline(ingest_job_create_from_path(exhibit=exhibit, path=seized, by=owner, queue=False))
    assert job.status == "done"
    inside = {f.path.removeprefix("seized/disk.E01/"): f for f in EvidenceFile.objects.filter(container__isnull=False)}
    assert set(inside) == {f"partition1/{n}" for n in first} | {f"partition2/{n}" for n in second}
    sound = {**{f"partition1/{n}": c for n, c in first.items()}, "partition2/b0.txt": second["b0.txt"]}
    for name, content in sound.items():  # control: what lies before the damage reads whole
        assert (inside[name].error, inside[name].sha256_hex) == ("", sha256_hex(content)), name
    hidden = inside["partition2/big.bin"]
    assert hidden.triage == "error" and "cannot be read at byte" in english(hidden.error) and hidden.sha256 is None
    image = EvidenceFile.objects.get(path="seized/disk.E01")
    assert any(finding.startswith("damaged image: ") for finding in map(english, image.findings)), image.findings
