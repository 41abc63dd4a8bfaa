"""An archive's members read again after the ingest (a detection job, the text index job): the
members asked are read, the others passed by unread where the format allows it (zip, tar), so that
a job taking a huge archive's members in chunks does not read the whole archive once a chunk."""

import io
import tarfile

import pytest

from evidence.ingest import archive_reading
from evidence.ingest.archives import tars, zips
from evidence.ingest.archives.limits import Limits
from evidence.ingest.archives.members import WalkReport
from evidence.ingest.archives.walk import walk
from evidence.models import EvidenceFile
from tests.evidence.test_altered_copies import ingest
from tests.factories import zip_bytes


def tar_gz_bytes(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for name, content in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(content)
            archive.addfile(info, io.BytesIO(content))
    return buffer.getvalue()


def content_of(number: int) -> bytes:
    return f"note {number}: the meeting is at the station\n".encode() * (number + 1)


@pytest.fixture
def counted_reads(monkeypatch):
    """How many members the readers hash (read_member as zips and tars call it)."""
    reads = []
    for module in (zips, tars):
        real = module.read_member
        monkeypatch.setattr(
            module, "read_member", lambda member, *args, real=real: reads.append(member.path) or real(member, *args)
        )
    return reads


@pytest.mark.parametrize("name, pack", [("notes.zip", zip_bytes), ("notes.tar.gz", tar_gz_bytes)])
def test_only_the_members_asked_are_read_again(owner, exhibit, tmp_path, counted_reads, name, pack):
    members = {f"notes/{number:02d}.txt": content_of(number) for number in range(40)}
    inner = zip_bytes({"deep/a.txt": b"inside the inner archive", "deep/b.txt": b"another one"})
    ingest(exhibit, owner, tmp_path / "seized", {name: pack({**members, "inner.zip": inner})})
    # control: the ingest read every member, the inner archive's too
    assert len(counted_reads) == 40 + 1 + 2
    counted_reads.clear()
    asked = EvidenceFile.objects.filter(
        exhibit=exhibit,
        path__in=[f"seized/{name}/notes/07.txt", f"seized/{name}/notes/31.txt", f"seized/{name}/inner.zip/deep/b.txt"],
    )
    got = {record.path: content for record, content in archive_reading.members_again(list(asked))}
    assert got == {
        f"seized/{name}/notes/07.txt": content_of(7),
        f"seized/{name}/notes/31.txt": content_of(31),
        f"seized/{name}/inner.zip/deep/b.txt": b"another one",
    }
    # the two notes, the inner archive on the way, its member: not the 38 other notes nor deep/a.txt
    assert sorted(counted_reads) == sorted([*got, f"seized/{name}/inner.zip"])


def test_members_passed_by_count_towards_the_limits_as_at_ingest():
    """A member refused at ingest for the archive's total is refused again when read alone: the
    members passed by still count (their declared sizes), so the limit falls where it fell."""
    archive = zip_bytes({f"{number}.bin": bytes([number]) * 1000 for number in range(5)})
    limits = Limits(
        max_depth=3, max_members=100, max_member_bytes=10**6, max_total_bytes=2500,
        max_ratio=10**6, max_buffer_bytes=10**6,
    )  # fmt: skip

    def walked(report):
        return [
            (member.path, member.digests is not None)
            for member in walk(io.BytesIO(archive), "zip", "a.zip", limits, report, len(archive))
        ]

    everything = WalkReport()
    assert walked(everything) == [("a.zip/0.bin", True), ("a.zip/1.bin", True), ("a.zip/2.bin", True)]
    assert everything.findings  # the total reached: said on the archive's record
    only = WalkReport(only=frozenset({("2.bin",), ("4.bin",)}))
    assert walked(only) == [("a.zip/2.bin", True)]  # 4.bin is past the total, as at ingest
    alone = WalkReport(only=frozenset({("4.bin",)}))
    assert walked(alone) == []
