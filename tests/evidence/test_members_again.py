"""An archive's members read again after the ingest (a detection job, the text index job): the
members asked are read, the others passed by unhashed (zip, tar, 7z, e-mail) and, where the format
allows it, unread or unparsed, so that a job taking a huge archive's members in chunks does not read
the whole archive once a chunk."""

import io
import tarfile

import pytest

from demo.outlook import OutlookMail, msg_bytes
from evidence.ingest import archive_reading
from evidence.ingest.archives import mails
from evidence.ingest.archives.members import MemberContent
from evidence.models import EvidenceFile
from tests.evidence.test_altered_copies import ingest
from tests.evidence.test_archives_7z import seven_zip
from tests.evidence.test_mail_attachments import eml, mbox
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
    """The members hashed, by path (every reader hashes a member through MemberContent)."""
    reads = []
    real = MemberContent.finish
    monkeypatch.setattr(MemberContent, "finish", lambda self, member: reads.append(member.path) or real(self, member))
    return reads


def seven_zip_solid(members: dict[str, bytes]) -> bytes:
    return seven_zip(members)  # py7zr writes every member in one solid folder


@pytest.mark.parametrize(
    "name, pack", [("notes.zip", zip_bytes), ("notes.tar.gz", tar_gz_bytes), ("notes.7z", seven_zip_solid)]
)
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


def test_a_mailbox_read_again_parses_only_the_messages_asked(owner, exhibit, tmp_path, counted_reads, monkeypatch):
    messages = [
        eml(f"minutes {number}", f"see the notes {number}", [(f"notes-{number}.txt", content_of(number), "text/plain")])
        for number in range(30)
    ]
    ingest(exhibit, owner, tmp_path / "seized", {"box.mbox": mbox(*messages)})
    assert len(counted_reads) == 30  # control: the ingest hashed every attachment
    counted_reads.clear()
    parsed = []
    real = mails._parsed
    monkeypatch.setattr(mails, "_parsed", lambda data: parsed.append(data) or real(data))
    asked = EvidenceFile.objects.filter(
        exhibit=exhibit, path__in=["seized/box.mbox/message-8/notes-7.txt", "seized/box.mbox/message-22/notes-21.txt"]
    )
    got = {record.path: content for record, content in archive_reading.members_again(list(asked))}
    assert got == {
        "seized/box.mbox/message-8/notes-7.txt": content_of(7),
        "seized/box.mbox/message-22/notes-21.txt": content_of(21),
    }
    assert sorted(counted_reads) == sorted(got)
    assert len(parsed) == 2  # the 28 other messages split off, not parsed


def outlook_letter(attachments: list[tuple[str, bytes]]) -> bytes:
    mail = OutlookMail(subject="minutes", sender=("Owl", "owl@example.org"), to=[], body="see attached")
    mail.attachments = attachments
    return msg_bytes(mail)


@pytest.mark.parametrize(
    "name, letter",
    [
        ("letter.eml", lambda parts: eml("minutes", "see attached", [(*part, "text/plain") for part in parts])),
        ("letter.msg", outlook_letter),
    ],
)
def test_an_e_mail_read_again_hashes_only_the_attachments_asked(owner, exhibit, tmp_path, counted_reads, name, letter):
    attachments = [(f"part-{number}.txt", content_of(number)) for number in range(5)]
    ingest(exhibit, owner, tmp_path / "seized", {name: letter(attachments)})
    assert len(counted_reads) == 5  # control: the ingest hashed every attachment
    counted_reads.clear()
    asked = EvidenceFile.objects.filter(exhibit=exhibit, path=f"seized/{name}/part-3.txt")
    got = {record.path: content for record, content in archive_reading.members_again(list(asked))}
    assert got == {f"seized/{name}/part-3.txt": content_of(3)}
    assert counted_reads == [f"seized/{name}/part-3.txt"]
