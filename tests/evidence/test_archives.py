"""Walking archives: each member hashed once, hostile content reported, never fatal."""

import hashlib
import io
import tarfile
import zipfile

import pytest

from config.messages import english
from evidence.ingest.archives.limits import Limits
from evidence.ingest.archives.members import WalkReport
from evidence.ingest.archives.walk import archive_kind, walk
from tests.factories import zip_bytes


def encrypted_zip(members: dict[str, bytes]) -> bytes:
    """A zip whose members carry the 'encrypted' flag (the stdlib cannot write real encryption)."""
    data = bytearray(zip_bytes(members))
    for signature, offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        start = 0
        while (start := data.find(signature, start)) != -1:
            data[start + offset] |= 0x01
            start += 4
    return bytes(data)


def tar_bytes(entries, mode="w:gz") -> bytes:
    """entries: (name, content bytes) for files, or a ready TarInfo for links and devices."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode=mode) as archive:
        for entry in entries:
            if isinstance(entry, tarfile.TarInfo):
                archive.addfile(entry)
            else:
                name, content = entry
                info = tarfile.TarInfo(name)
                info.size = len(content)
                info.mtime = 1_700_000_000
                archive.addfile(info, io.BytesIO(content))
    return buffer.getvalue()


def members_of(data: bytes, limits: Limits = Limits(), name="a"):
    report = WalkReport()
    found = {m.path: m for m in walk(io.BytesIO(data), archive_kind(data), name, limits, report, len(data))}
    return found, report


def test_zip_members_are_hashed_once_with_their_times():
    found, report = members_of(zip_bytes({"dir/x.bin": b"x" * 10, "y.bin": b"yy"}))
    assert set(found) == {"a/dir/x.bin", "a/y.bin"}
    assert found["a/y.bin"].digests["sha256"] == hashlib.sha256(b"yy").digest()
    assert found["a/dir/x.bin"].archive_path == ["dir/x.bin"] and found["a/dir/x.bin"].modified is not None
    assert report.findings == []


@pytest.mark.parametrize("mode", ["w", "w:gz", "w:bz2", "w:xz"])
def test_tar_in_every_compression_is_walked(mode):
    found, _ = members_of(tar_bytes([("one.txt", b"1"), ("sub/two.txt", b"22")], mode))
    assert {path: m.digests["md5"] for path, m in found.items()} == {
        "a/one.txt": hashlib.md5(b"1").digest(),
        "a/sub/two.txt": hashlib.md5(b"22").digest(),
    }


def test_nested_archives_are_walked_with_their_chain_of_names():
    inner = tar_bytes([("deep.txt", b"deep")])
    found, _ = members_of(zip_bytes({"inner.tar.gz": inner, "top.txt": b"top"}))
    deep = found["a/inner.tar.gz/deep.txt"]
    assert deep.archive_path == ["inner.tar.gz", "deep.txt"]
    assert deep.digests["sha1"] == hashlib.sha1(b"deep").digest()
    assert found["a/inner.tar.gz"].digests["sha256"] == hashlib.sha256(inner).digest()  # the archive itself too


def test_nesting_stops_at_the_depth_limit_with_a_finding():
    level3 = zip_bytes({"c.txt": b"c"})
    level2 = zip_bytes({"level3.zip": level3})
    found, _ = members_of(zip_bytes({"level2.zip": level2}), Limits(max_depth=2))
    assert "a/level2.zip/level3.zip" in found and "a/level2.zip/level3.zip/c.txt" not in found
    assert "depth limit of 2" in english(found["a/level2.zip/level3.zip"].findings[0])
    deeper, _ = members_of(zip_bytes({"level2.zip": level2}), Limits(max_depth=3))  # control
    assert "a/level2.zip/level3.zip/c.txt" in deeper


def test_a_zip_bomb_member_is_refused_by_its_ratio_and_the_rest_read():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("bomb.bin", b"\0" * (20 << 20))
        archive.writestr("fine.txt", b"fine")
    found, _ = members_of(buffer.getvalue())
    assert "likely a decompression bomb" in english(found["a/bomb.bin"].error) and found["a/bomb.bin"].digests is None
    assert found["a/fine.txt"].digests["md5"] == hashlib.md5(b"fine").digest()


def test_a_tar_bomb_member_is_refused_by_its_ratio():
    found, _ = members_of(tar_bytes([("zeros.bin", b"\0" * (20 << 20)), ("fine.txt", b"fine")]))
    assert "likely a decompression bomb" in english(found["a/zeros.bin"].error)
    assert found["a/fine.txt"].digests is not None


def test_hostile_names_are_findings_but_the_content_is_still_evidence():
    found, _ = members_of(zip_bytes({"../../etc/evil.jpg": b"e", "/abs.txt": b"a", "ok.txt": b"o"}))
    assert "path traversal" in english(found["a/../../etc/evil.jpg"].findings[0])
    assert "absolute member name" in english(found["a//abs.txt"].findings[0])
    assert found["a/../../etc/evil.jpg"].digests["md5"] == hashlib.md5(b"e").digest()
    assert found["a/ok.txt"].findings == []  # control


def test_links_and_devices_in_a_tar_are_recorded_without_content():
    link = tarfile.TarInfo("link")
    link.type, link.linkname = tarfile.SYMTYPE, "/etc/shadow"
    device = tarfile.TarInfo("dev")
    device.type = tarfile.CHRTYPE
    found, _ = members_of(tar_bytes([link, device, ("real.txt", b"r")]))
    assert english(found["a/link"].error) == "symbolic link to '/etc/shadow': no content, not followed"
    assert english(found["a/dev"].error) == "device, FIFO or special entry: no content"
    assert found["a/real.txt"].error == ""


def test_an_encrypted_member_is_recorded_with_its_reason():
    found, _ = members_of(encrypted_zip({"secret.jpg": b"data"}))
    assert english(found["a/secret.jpg"].error).startswith("encrypted archive member")
    plain, _ = members_of(zip_bytes({"secret.jpg": b"data"}))
    assert plain["a/secret.jpg"].error == ""  # control


def test_the_member_count_limit_stops_the_walk_with_a_finding_on_the_archive():
    data = zip_bytes({f"f{n}.txt": b"x" for n in range(10)})
    found, report = members_of(data, Limits(max_members=4))
    assert len(found) == 4 and "stopped after 4 members" in english(report.findings[0])


def test_a_truncated_archive_keeps_what_was_read_and_reports_the_rest():
    data = tar_bytes([("one.txt", b"1" * 5000), ("two.txt", b"2" * 50000)], mode="w")
    found, report = members_of(data[:6000])
    assert found["a/one.txt"].digests["md5"] == hashlib.md5(b"1" * 5000).digest()
    assert "truncated" in english(report.findings[0])
    _, whole = members_of(data)
    assert whole.findings == []  # control
    cut_gzip = tar_bytes([("one.txt", b"1" * 5000), ("two.txt", bytes(range(256)) * 400)])
    _, report = members_of(cut_gzip[: len(cut_gzip) // 2])
    assert "damaged or truncated" in english(report.findings[0]) or "unreadable" in " ".join(
        map(english, report.findings)
    )
