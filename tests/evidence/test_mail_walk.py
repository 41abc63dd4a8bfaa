"""E-mail walked as a container (no database): which files are containers of attachments, the members
an .eml, an .mbox and a .msg give, and the limits that hold for them as for archives."""

import hashlib
import io
from email.message import EmailMessage

from config.messages import code_of
from demo.outlook import OutlookMail, msg_bytes
from evidence.ingest.archives import mails
from evidence.ingest.archives.limits import Limits
from evidence.ingest.archives.members import WalkReport
from evidence.ingest.archives.walk import container_kind, walk


def eml(body: str = "body", attachments=(), inline_picture: bytes = b"") -> bytes:
    mail = EmailMessage()
    mail["From"], mail["Subject"] = "owl@example.org", "walked"
    mail.set_content(body)
    if inline_picture:
        mail.add_alternative("<p>see <img src='cid:pic'></p>", subtype="html")
        mail.get_payload()[1].add_related(inline_picture, maintype="image", subtype="png", cid="<pic>")
    for name, data in attachments:
        mail.add_attachment(data, maintype="application", subtype="octet-stream", filename=name)
    return bytes(mail)


def members_of(data: bytes, kind: str, name: str, limits: Limits = Limits()):
    report = WalkReport()
    return {m.path: m for m in walk(io.BytesIO(data), kind, name, limits, report, len(data))}, report


def test_emails_are_containers_by_type_and_name_only_when_they_may_hold_attachments():
    with_one, without = eml(attachments=[("a.bin", b"a")]), eml()
    assert container_kind(with_one[:8192], "message/rfc822", "m.eml", with_one) == "mail"
    assert container_kind(without[:8192], "message/rfc822", "m.eml", without) == ""  # no multipart: no walk
    assert container_kind(with_one[:8192], "text/plain", "box.mbox", with_one) == "mbox"
    assert container_kind(with_one[:8192], "text/plain", "notes.txt", with_one) == ""  # control: a text file
    assert container_kind(with_one[:8192], "message/rfc822", "big.eml", None) == "mail"  # too large to look: walked
    outlook = msg_bytes(OutlookMail(subject="s", sender=("a", "a@b"), to=[], attachments=[("x", b"x")]))
    assert container_kind(outlook[:8192], "application/x-ole-storage", "m.msg", outlook) == "msg"
    bare = msg_bytes(OutlookMail(subject="s", sender=("a", "a@b"), to=[]))
    assert container_kind(bare[:8192], "application/x-ole-storage", "m.msg", bare) == ""
    assert mails.holds_attachments("msg", None)


def test_an_inline_picture_without_a_name_is_a_member_named_by_its_type():
    found, _ = members_of(
        eml(inline_picture=b"\x89PNG\r\n\x1a\nbenign", attachments=[("a.bin", b"a")]), "mail", "m.eml"
    )
    assert set(found) == {"m.eml/attachment-1.png", "m.eml/a.bin"}
    assert found["m.eml/a.bin"].digests["sha256"] == hashlib.sha256(b"a").digest()


def test_hostile_attachment_names_are_findings_and_their_content_still_evidence():
    found, _ = members_of(eml(attachments=[("../../etc/passwd", b"p"), ("ok.txt", b"o")]), "mail", "m.eml")
    assert code_of(found["m.eml/../../etc/passwd"].findings[0]) == "archive.name_traversal"
    assert found["m.eml/../../etc/passwd"].digests is not None and found["m.eml/ok.txt"].findings == []


def test_a_mailbox_is_read_message_by_message_across_blocks():
    filler = "x" * 80 + "\n"
    messages = [eml(body=filler * 20_000, attachments=[(f"{n}.bin", b"%d" % n)]) for n in range(3)]  # ~1.6 MB each
    box = b"".join(b"From owl@example.org Mon Dec  7 09:00:00 2026\n" + m.replace(b"\r\n", b"\n") for m in messages)
    found, report = members_of(box, "mbox", "box.mbox")
    assert set(found) == {f"box.mbox/message-{n + 1}/{n}.bin" for n in range(3)} and report.findings == []
    limited, report = members_of(box, "mbox", "box.mbox", Limits(max_buffer_bytes=1 << 20))
    assert limited == {}
    assert [code_of(finding) for finding in report.findings] == ["archive.mbox_message_too_large"] * 3


def test_attachments_past_the_member_limit_are_a_finding_of_the_message():
    data = eml(attachments=[(f"{n}.bin", b"%d" % n) for n in range(6)])
    found, report = members_of(data, "mail", "m.eml", Limits(max_members=4))
    assert len(found) == 4 and code_of(report.findings[0]) == "archive.member_limit"
    found, report = members_of(data, "mail", "m.eml", Limits(max_members=6))  # control
    assert len(found) == 6 and report.findings == []


def test_an_outlook_message_too_large_or_damaged_is_a_finding_not_a_failure():
    data = msg_bytes(OutlookMail(subject="s", sender=("a", "a@b"), to=[], attachments=[("x.bin", b"x" * 5000)]))
    found, _ = members_of(data, "msg", "m.msg", Limits(max_member_bytes=4000))
    assert code_of(found["m.msg/x.bin"].error) == "archive.member_too_large"
    found, report = members_of(data[:1500], "msg", "cut.msg")
    assert found == {} and code_of(report.findings[0]) == "archive.mail_unreadable"
    found, _ = members_of(data, "msg", "m.msg")  # control
    assert found["m.msg/x.bin"].digests["sha256"] == hashlib.sha256(b"x" * 5000).digest()
