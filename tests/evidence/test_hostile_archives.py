"""Hostile archives built at test time: overlapping-entry bombs, cut zips, wrong passwords, names."""

import hashlib
import io
import os
import struct
import tarfile
import zipfile

import py7zr
import pytest

from config.messages import english
from evidence.ingest.archives.limits import Limits, hostile_name
from evidence.ingest.archives.members import WalkReport
from evidence.ingest.archives.walk import archive_kind, walk
from hashing.perceptual import ImageRefused, decode
from tests.factories import zip_bytes


def members_of(data: bytes, limits: Limits = Limits(), password: bytes | None = None):
    report = WalkReport(password=password)
    found = list(walk(io.BytesIO(data), archive_kind(data), "a", limits, report, len(data)))
    return found, report


def texture(size: int) -> bytes:
    """Bytes that deflate about 100:1: a random block repeated (under the per-member ratio limit)."""
    block = os.urandom(2048)
    return (block * (size // len(block) + 1))[:size]


def overlapping_zip(copies: int, content: bytes) -> bytes:
    """One real member, then ``copies - 1`` more central-directory entries pointing at its data.

    The copies keep the member's name, as the local header they point at must agree with it.
    """
    data = bytearray(zip_bytes({"m0.bin": content}))
    end = data.rfind(b"PK\x05\x06")
    directory_offset = struct.unpack("<I", data[end + 16 : end + 20])[0]
    record = bytes(data[directory_offset:end])
    directory = record * copies
    tail = bytearray(data[end:])
    tail[8:12] = struct.pack("<HH", copies, copies)
    tail[12:16] = struct.pack("<I", len(directory))
    return bytes(data[:directory_offset]) + directory + bytes(tail)


def test_overlapping_entries_are_read_once_and_the_others_refused():
    content = texture(2 << 20)
    data = overlapping_zip(50, content)
    assert len(zipfile.ZipFile(io.BytesIO(data)).infolist()) == 50  # the stdlib would expand all fifty
    found, report = members_of(data)
    read = [m for m in found if m.digests]
    refused = [m for m in found if "overlaps" in english(m.error)]
    assert len(found) == 50 and len(read) == 1 and len(refused) == 49
    assert found[0] is read[0] and read[0].digests["sha256"] == hashlib.sha256(content).digest()
    assert any("overlapping entries" in finding for finding in map(english, report.findings))
    assert report.total_bytes == len(content)


def test_a_zip_of_distinct_members_is_read_whole_without_an_overlap_finding():
    contents = {f"m{i}.bin": texture(64 << 10) for i in range(50)}
    found, report = members_of(zip_bytes(contents))
    assert len(found) == 50 and all(m.digests and not m.error for m in found)
    assert {m.path: m.digests["sha256"] for m in found} == {
        f"a/{name}": hashlib.sha256(content).digest() for name, content in contents.items()
    }
    assert report.findings == []


def test_members_each_under_the_ratio_limit_are_stopped_when_the_archive_adds_up_over_it():
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for index in range(3):
            content = texture(3 << 20)
            info = tarfile.TarInfo(f"part{index}.bin")
            info.size = len(content)
            archive.addfile(info, io.BytesIO(content))
    data = buffer.getvalue()
    member_ratio = (3 << 20) / len(data)
    limit = int(member_ratio * 2.5)  # one or two members are under it, the three together are over it
    found, _ = members_of(data, Limits(max_ratio=limit))
    assert [bool(m.digests) for m in found] == [True, True, False]
    assert "the archive as a whole" in english(found[2].error)
    control, _ = members_of(data, Limits(max_ratio=int(member_ratio * 4)))
    assert all(m.digests for m in control)


def test_a_zip_cut_before_its_directory_keeps_its_complete_members():
    contents = {f"doc{i}.txt": os.urandom(40_000) for i in range(4)}
    whole = zip_bytes(contents)
    directory_offset = struct.unpack("<I", whole[whole.rfind(b"PK\x05\x06") + 16 :][:4])[0]
    fourth = whole.find(b"PK\x03\x04", whole.find(b"doc3.txt") - 40)
    cut = whole[: fourth + 30 + 8 + 1000]  # inside the fourth member's data
    found, report = members_of(cut)
    complete = {m.path: m.digests["sha256"] for m in found if m.digests}
    assert complete == {f"a/doc{i}.txt": hashlib.sha256(contents[f"doc{i}.txt"]).digest() for i in range(3)}
    assert "truncated" in english(found[-1].error) and found[-1].path == "a/doc3.txt"
    assert any("no central directory" in finding for finding in map(english, report.findings))
    # Cut exactly where the directory began: all four members are complete.
    found, report = members_of(whole[:directory_offset])
    assert len([m for m in found if m.digests]) == 4
    assert any("4 complete members" in finding for finding in map(english, report.findings))


def test_a_whole_zip_is_read_through_its_directory_with_no_finding():
    contents = {f"doc{i}.txt": os.urandom(40_000) for i in range(4)}
    found, report = members_of(zip_bytes(contents))
    assert len([m for m in found if m.digests]) == 4 and report.findings == []
    assert not any("local header" in finding for m in found for finding in map(english, m.findings))


def test_a_member_whose_directory_entry_lies_gets_a_reason_in_words():
    data = bytearray(zip_bytes({"a.txt": os.urandom(5000), "b.txt": b"fine"}))
    central = data.find(b"PK\x01\x02")
    struct.pack_into("<I", data, central + 20, 4000)  # compressed size stated smaller than the data
    found, _ = members_of(bytes(data))
    liar = next(m for m in found if m.path == "a/a.txt")
    assert (
        english(liar.error).startswith("unreadable member: ")
        and len(english(liar.error)) > len("unreadable member: ") + 10
    )
    assert next(m for m in found if m.path == "a/b.txt").digests["sha256"] == hashlib.sha256(b"fine").digest()


def seven_zip(header_encryption: bool) -> bytes:
    buffer = io.BytesIO()
    with py7zr.SevenZipFile(buffer, "w", password="right", header_encryption=header_encryption) as archive:
        archive.writestr(b"hello world " * 100, "a.txt")
        archive.writestr(b"second member " * 100, "b.txt")
    return buffer.getvalue()


@pytest.mark.parametrize("header_encryption", [False, True])
def test_a_7z_opened_with_a_wrong_password_says_so(header_encryption):
    data = seven_zip(header_encryption)
    found, report = members_of(data, password=b"wrong")
    said = " ".join(map(english, [*report.findings, *(m.error for m in found)]))
    assert "password given does not open it" in said or "wrong password" in said
    assert "damaged at or before it" not in said and "Unknown field" not in said.split("(")[0]
    control, control_report = members_of(data, password=b"right")
    assert {m.path: m.digests["sha256"] for m in control} == {
        "a/a.txt": hashlib.sha256(b"hello world " * 100).digest(),
        "a/b.txt": hashlib.sha256(b"second member " * 100).digest(),
    }


@pytest.mark.parametrize(
    ("name", "escapes"),
    [
        ("ok/../fine.txt", False),
        ("./a/./b.txt", False),
        ("a/b/../../c.txt", False),
        ("../evil.txt", True),
        ("a/../../evil.txt", True),
        ("/etc/passwd", True),
        ("C:\\Windows\\x.dll", True),
    ],
)
def test_only_names_that_climb_out_of_the_archive_are_traversal(name, escapes):
    assert bool(hostile_name(name)) is escapes


def test_a_corrupt_tiff_is_refused_in_words_without_a_python_object_name():
    data = b"II*\x00" + os.urandom(200)
    with pytest.raises(ImageRefused) as refusal:
        decode(io.BytesIO(data))
    assert "corrupt image" in str(refusal.value) and "0x" not in str(refusal.value)
    assert "BytesIO" not in str(refusal.value)
