"""Encrypted archives: recorded as such without a password; decrypted and hashed with the job's password."""

import hashlib
import io
from datetime import datetime
from stat import S_IFREG

from stream_zip import ZIP_32, stream_zip

from config.messages import english
from evidence.ingest.archives.limits import Limits
from evidence.ingest.archives.members import WalkReport
from evidence.ingest.archives.walk import archive_kind, walk
from tests.evidence.test_archives_7z import seven_zip
from tests.factories import zip_bytes

SECRET = {"DCIM/secret.jpg": b"\xff\xd8 not really a photo " * 50, "notes.txt": b"meeting at noon\n"}


def aes_zip(members: dict[str, bytes], password: str) -> bytes:
    """A WinZip AES-256 zip, as 7-Zip or WinZip write them (the stdlib cannot)."""
    entries = ((name, datetime(2026, 1, 1), S_IFREG | 0o600, ZIP_32, (content,)) for name, content in members.items())
    return b"".join(stream_zip(entries, password=password))


def members_of(data: bytes, password: bytes | None = None, name="a"):
    report = WalkReport(password=password)
    found = {m.path: m for m in walk(io.BytesIO(data), archive_kind(data), name, Limits(), report, len(data))}
    return found, report


def test_an_aes_zip_without_a_password_is_recorded_member_by_member():
    found, _ = members_of(aes_zip(SECRET, "s3cret"))
    assert set(found) == {"a/DCIM/secret.jpg", "a/notes.txt"}
    assert all(english(m.error).startswith("encrypted archive member") and m.digests is None for m in found.values())


def test_an_aes_zip_with_its_password_is_decrypted_and_every_member_hashed():
    found, _ = members_of(aes_zip(SECRET, "s3cret"), password=b"s3cret")
    for name, content in SECRET.items():
        member = found[f"a/{name}"]
        assert member.error == "" and member.digests["sha256"] == hashlib.sha256(content).digest()
        assert member.size == len(content) and "decrypted with the password" in english(member.findings[0])
    assert found["a/notes.txt"].content == SECRET["notes.txt"]


def test_a_wrong_password_is_said_and_plain_members_beside_are_read():
    found, _ = members_of(aes_zip(SECRET, "s3cret"), password=b"wrong")
    assert all(
        english(m.error) == "encrypted archive member: the password given does not open it" for m in found.values()
    )
    plain, _ = members_of(zip_bytes({"x.txt": b"x"}), password=b"wrong")  # control: a password harms no plain zip
    assert plain["a/x.txt"].digests["sha256"] == hashlib.sha256(b"x").digest()


def test_an_aes_zip_inside_a_zip_is_decrypted_too():
    found, _ = members_of(zip_bytes({"inner.zip": aes_zip(SECRET, "pw")}), password=b"pw")
    assert found["a/inner.zip/notes.txt"].digests["md5"] == hashlib.md5(SECRET["notes.txt"]).digest()


def test_an_encrypted_7z_is_read_with_the_password():
    for header_encryption in (False, True):
        data = seven_zip(SECRET, password="pw", header_encryption=header_encryption)
        found, report = members_of(data, password=b"pw")
        assert {path: m.digests["sha256"] for path, m in found.items()} == {
            f"a/{name}": hashlib.sha256(content).digest() for name, content in SECRET.items()
        }, report.findings
    found, _ = members_of(seven_zip(SECRET, password="pw"))  # control: without it, recorded as encrypted
    assert all(english(m.error).startswith("encrypted archive member") for m in found.values())


def test_the_password_never_shows_in_a_report():
    assert "s3cret" not in repr(WalkReport(password=b"s3cret"))


def test_an_uploaded_aes_zip_is_opened_with_the_password_typed_on_the_form(client, owner, exhibit):
    from audit.models import AuditEvent
    from evidence.models import EvidenceFile, IngestJob
    from tests.evidence.test_ingest import run_inline

    archive = aes_zip(SECRET, "correct horse")
    upload = io.BytesIO(archive)
    upload.name = "seized.zip"
    client.force_login(owner)
    response = client.post(f"/exhibits/{exhibit.pk}/ingest/", {"files": [upload], "archive_password": "correct horse"})
    assert response.status_code == 302
    job = IngestJob.objects.get()
    sealed_password = bytes(job.archive_password)
    assert b"correct horse" not in sealed_password and "correct horse".encode("utf-16-le") not in sealed_password
    job = run_inline(job)
    files = {f.path: f for f in EvidenceFile.objects.all()}
    for name, content in SECRET.items():
        assert files[f"seized.zip/{name}"].sha256_hex == hashlib.sha256(content).hexdigest()
    assert job.archive_password is None  # wiped when the job ended
    assert AuditEvent.objects.get(action="ingest.create").detail["archive_password_given"] is True
    assert not any("correct horse" in str(event.detail) for event in AuditEvent.objects.all())


def test_without_the_password_the_same_upload_records_encrypted_members(client, owner, exhibit):
    from evidence.models import EvidenceFile, IngestJob
    from tests.evidence.test_ingest import run_inline

    upload = io.BytesIO(aes_zip(SECRET, "correct horse"))
    upload.name = "seized.zip"
    client.force_login(owner)
    assert client.post(f"/exhibits/{exhibit.pk}/ingest/", {"files": [upload]}).status_code == 302
    run_inline(IngestJob.objects.get())
    members = EvidenceFile.objects.filter(path__startswith="seized.zip/")
    assert members.count() == 2 and all(english(m.error).startswith("encrypted archive member") for m in members)
