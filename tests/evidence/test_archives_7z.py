"""7z archives, as sources and inside evidence: streamed in memory, under the same limits as zip and tar."""

import hashlib
import io
import random
import struct
import zlib

import py7zr

from config.messages import english
from evidence.ingest.archives.limits import Limits
from evidence.ingest.archives.members import WalkReport
from evidence.ingest.archives.walk import archive_kind, walk
from evidence.ingest.jobs import ingest_job_create_from_path
from evidence.models import EvidenceFile
from evidence.synthetic import synthetic_image_bytes
from tests.evidence.test_ingest import run_inline
from tests.factories import sha256_hex, zip_bytes


def seven_zip(
    members: dict[str, bytes], password: str | None = None, header_encryption: bool = False, plain_header=False
) -> bytes:
    buffer = io.BytesIO()
    with py7zr.SevenZipFile(buffer, "w", password=password, header_encryption=header_encryption) as archive:
        if plain_header:
            archive.set_encoded_header_mode(False)
        for name, content in members.items():
            archive.writestr(content, name)
    return buffer.getvalue()


def renamed(data: bytes, old: str, new: str) -> bytes:
    """A 7z written with a plain header, one member name swapped (py7zr refuses to write hostile names)."""
    assert len(old) == len(new)
    data = bytearray(data.replace(old.encode("utf-16-le"), new.encode("utf-16-le")))
    offset, size = struct.unpack_from("<QQ", data, 12)
    header = data[32 + offset : 32 + offset + size]
    struct.pack_into("<I", data, 28, zlib.crc32(header))
    struct.pack_into("<I", data, 8, zlib.crc32(data[12:32]))
    return bytes(data)


def members_of(data: bytes, limits: Limits = Limits(), name="a"):
    report = WalkReport()
    found = {m.path: m for m in walk(io.BytesIO(data), archive_kind(data), name, limits, report, len(data))}
    return found, report


MEMBERS = {
    "DCIM/p1.jpg": synthetic_image_bytes(1, size=(120, 90)),
    "DCIM/p2.jpg": synthetic_image_bytes(2, size=(120, 90)),
    "notes.txt": b"meeting at noon\n",
    "empty.bin": b"",
}


def test_every_member_of_a_7z_is_hashed_with_its_time():
    data = seven_zip(MEMBERS)
    assert archive_kind(data) == "7z"
    found, report = members_of(data)
    assert {path: m.digests["sha256"].hex() for path, m in found.items()} == {
        f"a/{name}": sha256_hex(content) for name, content in MEMBERS.items()
    }
    assert found["a/notes.txt"].digests["md5"] == hashlib.md5(MEMBERS["notes.txt"]).digest()
    assert found["a/DCIM/p1.jpg"].modified is not None and found["a/DCIM/p1.jpg"].content == MEMBERS["DCIM/p1.jpg"]
    assert report.findings == []


def test_a_7z_inside_a_zip_and_a_zip_inside_a_7z_are_walked():
    inner_zip = zip_bytes({"deep.txt": b"deep"})
    found, _ = members_of(zip_bytes({"inner.7z": seven_zip({"x.txt": b"x", "in.zip": inner_zip})}))
    assert found["a/inner.7z/x.txt"].digests["sha256"] == hashlib.sha256(b"x").digest()
    assert found["a/inner.7z/in.zip/deep.txt"].archive_path == ["inner.7z", "in.zip", "deep.txt"]


def test_encrypted_7z_members_are_recorded_and_an_encrypted_header_is_a_finding():
    found, report = members_of(seven_zip({"secret.jpg": b"data"}, password="pw"))
    assert (
        english(found["a/secret.jpg"].error).startswith("encrypted archive member")
        and found["a/secret.jpg"].digests is None
    )
    found, report = members_of(seven_zip({"secret.jpg": b"data"}, password="pw", header_encryption=True))
    assert found == {} and "encrypted 7z header" in english(report.findings[0])
    plain, report = members_of(seven_zip({"secret.jpg": b"data"}))  # control
    assert plain["a/secret.jpg"].error == "" and report.findings == []


def test_a_7z_bomb_is_refused_with_its_ratio_and_nothing_is_decompressed():
    found, _ = members_of(seven_zip({"zeros.bin": b"\0" * (20 << 20)}))
    assert "likely a decompression bomb" in english(found["a/zeros.bin"].error) and found["a/zeros.bin"].digests is None
    noise = random.Random(7).randbytes(2 << 20)
    fine, _ = members_of(seven_zip({"fine.bin": noise}))  # control: 2 MiB that does not compress
    assert fine["a/fine.bin"].error == "" and fine["a/fine.bin"].digests["sha256"] == hashlib.sha256(noise).digest()


def test_7z_limits_on_member_size_count_total_and_depth():
    data = seven_zip({f"f{n}.txt": bytes([n]) * 100 for n in range(10)})
    found, report = members_of(data, Limits(max_members=4))
    assert len(found) == 4 and "stopped after 4 members" in english(report.findings[0])
    found, _ = members_of(data, Limits(max_member_bytes=99))
    assert all("over the limit of 99" in english(m.error) for m in found.values())
    found, report = members_of(data, Limits(max_total_bytes=250))
    assert len(found) == 3 and "total size limit" in english(report.findings[0])
    nested = seven_zip({"level2.7z": seven_zip({"c.txt": b"c"})})
    found, _ = members_of(nested, Limits(max_depth=1))
    assert "depth limit of 1" in english(found["a/level2.7z"].findings[0]) and "a/level2.7z/c.txt" not in found
    found, report = members_of(data)  # control
    assert len(found) == 10 and report.findings == [] and all(m.error == "" for m in found.values())


def test_a_hostile_member_name_in_a_7z_is_a_finding_and_still_read():
    data = renamed(seven_zip({"xx/xx/etc/evil.txt": b"e", "ok.txt": b"o"}, plain_header=True), "xx/xx/", "../../")
    found, _ = members_of(data)
    evil = next(m for path, m in found.items() if "evil" in path)
    assert "path traversal" in english(evil.findings[0]) and evil.digests["sha256"] == hashlib.sha256(b"e").digest()
    assert found["a/ok.txt"].findings == []


def test_a_damaged_7z_keeps_what_could_be_read_and_says_why():
    data = bytearray(seven_zip({"one.bin": bytes(range(256)) * 64, "two.bin": bytes(range(255, -1, -1)) * 64}))
    data[40] ^= 0xFF  # in the packed stream: the CRC of what it decodes to no longer matches
    found, report = members_of(bytes(data))
    assert found and any(m.error for m in found.values())
    truncated, report = members_of(seven_zip(MEMBERS)[:100])
    assert truncated == {} and report.findings


def test_a_walk_abandoned_half_way_stops_its_extraction_thread():
    data = seven_zip({f"f{n}.txt": bytes([n]) * 100 for n in range(10)})
    report = WalkReport()
    members = walk(io.BytesIO(data), "7z", "a", Limits(), report, len(data))
    first = next(members)
    members.close()
    assert first.digests is not None


def test_a_7z_among_evidence_is_ingested_member_by_member(exhibit, owner, tmp_path):
    source = tmp_path / "src"
    source.mkdir()
    archive = seven_zip(MEMBERS)
    (source / "backup.7z").write_bytes(archive)
    job = run_inline(ingest_job_create_from_path(exhibit=exhibit, path=source, by=owner, queue=False))
    assert job.status == "done"
    files = {f.path: f for f in EvidenceFile.objects.all()}
    assert files["src/backup.7z"].sha256_hex == sha256_hex(archive)
    for name, content in MEMBERS.items():
        assert files[f"src/backup.7z/{name}"].sha256_hex == sha256_hex(content)
    assert files["src/backup.7z/DCIM/p1.jpg"].triage == "new_image" and files["src/backup.7z/DCIM/p1.jpg"].thumbnail
    assert english(files["src/backup.7z/empty.bin"].error) == "empty file (0 bytes)"
    assert job.files_total == len(files) == 5


def test_a_7z_asking_for_a_dictionary_over_the_memory_limit_is_not_decoded():
    data = seven_zip({"x.txt": b"x" * 1000})  # py7zr's default: LZMA2 with a 16 MiB dictionary
    found, _ = members_of(data, Limits(max_buffer_bytes=8 << 20))
    assert "dictionary of 16,777,216 bytes" in english(found["a/x.txt"].error) and found["a/x.txt"].digests is None
    found, _ = members_of(data, Limits(max_buffer_bytes=32 << 20))  # control
    assert found["a/x.txt"].error == "" and found["a/x.txt"].digests is not None
