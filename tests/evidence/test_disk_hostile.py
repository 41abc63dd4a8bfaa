"""Hostile disk images: a cut E01, a folder that contains itself. Recorded, never fatal to the job."""

from config.messages import english
from evidence.ingest.jobs import ingest_job_create_from_path
from evidence.models import EvidenceFile
from tests.evidence.disk_fixtures import e01, ext4_image, fat_image, needs_tools, run
from tests.evidence.test_disk_images import GONE, PHOTOS
from tests.evidence.test_ingest import run_inline
from tests.factories import sha256_hex

pytestmark = needs_tools

BIG = {**PHOTOS, "big.bin": bytes(range(256)) * 12_000}


def test_a_truncated_e01_segment_is_an_error_and_the_good_e01_beside_it_is_ingested(exhibit, owner, tmp_path):
    raw = fat_image(tmp_path / "fat.img", BIG, GONE)
    source = tmp_path / "case"
    source.mkdir()
    e01(source / "good", raw)
    e01(tmp_path / "cut", raw, segment_bytes=1024 * 1024)
    for segment in sorted(tmp_path.glob("cut.E0*")):
        (source / segment.name).write_bytes(segment.read_bytes())
    last = sorted(source.glob("cut.E0*"))[-1]
    assert last.name != "cut.E01"
    last.write_bytes(last.read_bytes()[: last.stat().st_size // 3])  # the last segment is cut short
    job = run_inline(ingest_job_create_from_path(exhibit=exhibit, path=source, by=owner, queue=False))
    assert job.status == "done"
    files = {f.path: f for f in EvidenceFile.objects.all()}
    # Control: the good E01 in the same job gives back every file.
    assert files["case/good.E01/big.bin"].sha256_hex == sha256_hex(BIG["big.bin"])
    assert files["case/good.E01/DCIM/p1.jpg"].sha256_hex == sha256_hex(PHOTOS["DCIM/p1.jpg"])
    cut = {path: f for path, f in files.items() if path.startswith("case/cut.E01")}
    assert files["case/cut.E01"].sha256_hex == sha256_hex((source / "cut.E01").read_bytes())
    damaged = [f for f in cut.values() if f.error or any("could not be read" in x for x in map(english, f.findings))]
    assert damaged, {path: (f.error, f.findings) for path, f in cut.items()}


def test_a_missing_e01_segment_is_recorded_and_the_job_ends(exhibit, owner, tmp_path):
    raw = fat_image(tmp_path / "fat.img", BIG)
    source = tmp_path / "case"
    source.mkdir()
    e01(source / "split", raw, segment_bytes=1024 * 1024)
    sorted(source.glob("split.E0*"))[-1].unlink()
    job = run_inline(ingest_job_create_from_path(exhibit=exhibit, path=source / "split.E01", by=owner, queue=False))
    assert job.status == "done"
    inside = {f.path: f for f in EvidenceFile.objects.filter(path__startswith="split.E01/")}
    # The missing segment holds the end of the media, where no file lies: every file is read whole
    # (the file system is opened as what it is, not probed all over), and the image says where it is damaged.
    assert {path: f.sha256_hex for path, f in inside.items()} == {
        f"split.E01/{name}": sha256_hex(content) for name, content in BIG.items()
    }
    image = EvidenceFile.objects.get(path="split.E01")
    assert any(finding.startswith("damaged image: ") for finding in map(english, image.findings)), image.findings


def test_a_folder_that_contains_itself_is_walked_once(exhibit, owner, tmp_path):
    image = ext4_image(tmp_path / "loop.img", {"a/inside.txt": b"inside\n", "top.txt": b"top\n"})
    run("debugfs", "-w", "-R", "link /a /a/again", str(image))  # a second name for /a, inside /a
    source = tmp_path / "case"
    source.mkdir()
    (source / "loop.img").write_bytes(image.read_bytes())
    job = run_inline(ingest_job_create_from_path(exhibit=exhibit, path=source, by=owner, queue=False))
    assert job.status == "done"
    files = {f.path: f for f in EvidenceFile.objects.all()}
    assert english(files["case/loop.img/a/again"].error) == "directory already walked (a loop): not followed"
    assert files["case/loop.img/a/inside.txt"].sha256_hex == sha256_hex(b"inside\n")  # control
    assert files["case/loop.img/top.txt"].sha256_hex == sha256_hex(b"top\n")
    assert not any(path.startswith("case/loop.img/a/again/") for path in files)
