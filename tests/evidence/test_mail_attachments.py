"""E-mail read whole through the real pipeline (a Celery worker on the real broker): each attachment of
an .eml, of each message of an .mbox and of an Outlook .msg is a file of the job, child of its message,
hashed, typed, its picture hashed perceptually, its text found in Find in files; hostile mail recorded
with a reason while the rest of the job goes on."""

import hashlib
import io
from email.message import EmailMessage

import pytest
from django.urls import reverse

from config.messages import code_of
from demo.outlook import OutlookMail, msg_bytes
from evidence.models import EvidenceFile, IngestJob
from evidence.synthetic import synthetic_image_bytes
from tests.factories import wait_until, zip_bytes

pytestmark = pytest.mark.django_db(transaction=True)

PHOTO = synthetic_image_bytes(7, "PNG", (200, 150))
NOTES = b"Rendez-vous with darkfalcon at the harbour on Tuesday\n"


def eml(subject: str, body: str, attachments: list[tuple[str, bytes, str]] = (), messages=()) -> bytes:
    """An e-mail with ``attachments`` (name, bytes, type) and ``messages`` attached (bytes of .eml)."""
    mail = EmailMessage()
    mail["From"], mail["To"], mail["Subject"] = "owl@example.org", "falcon@example.net", subject
    mail["Date"] = "Mon, 07 Dec 2026 09:00:00 +0100"
    mail.set_content(body)
    for name, data, kind in attachments:
        maintype, subtype = kind.split("/")
        mail.add_attachment(data, maintype=maintype, subtype=subtype, filename=name)
    for inner in messages:
        mail.add_attachment(inner, maintype="message", subtype="rfc822", filename="forwarded.eml")
    return bytes(mail)


def mbox(*messages: bytes) -> bytes:
    return b"".join(
        b"From owl@example.org Mon Dec  7 09:0%d:00 2026\n" % number + message.replace(b"\r\n", b"\n") + b"\n"
        for number, message in enumerate(messages)
    )


def upload(name, content):
    stream = io.BytesIO(content)
    stream.name = name
    return stream


def ingest(client, owner, exhibit, files: dict[str, bytes]) -> IngestJob:
    client.force_login(owner)
    response = client.post(
        reverse("exhibit_ingest", args=[exhibit.pk]), {"files": [upload(n, c) for n, c in files.items()]}
    )
    assert response.status_code == 302
    job = IngestJob.objects.get(exhibit=exhibit)
    wait_until(lambda: IngestJob.objects.get(pk=job.pk).is_finished)
    return IngestJob.objects.get(pk=job.pk)


def found(client, dossier, query: str) -> str:
    page = client.get(reverse("dossier_text_search", args=[dossier.pk]), {"q": query, "kind": "content"})
    assert page.status_code == 200
    return page.content.decode()


def test_an_emails_attachments_are_files_of_the_job_child_of_their_message(
    client, owner, exhibit, dossier, celery_worker
):
    mail = eml(
        "Photos of the harbour",
        "See the photo nightowl",
        [("harbour.png", PHOTO, "image/png"), ("notes.txt", NOTES, "text/plain")],
    )
    job = ingest(client, owner, exhibit, {"mail.eml": mail, "alone.eml": eml("No attachment", "just words")})
    message = EvidenceFile.objects.get(job=job, path="mail.eml")
    photo = EvidenceFile.objects.get(job=job, path="mail.eml/harbour.png")
    notes = EvidenceFile.objects.get(job=job, path="mail.eml/notes.txt")
    assert bytes(photo.sha256) == hashlib.sha256(PHOTO).digest() and photo.size == len(PHOTO)
    assert bytes(notes.sha256) == hashlib.sha256(NOTES).digest() and notes.mime == "text/plain"
    assert photo.container == message and notes.container == message and notes.archive_path == ["notes.txt"]
    assert photo.mime == "image/png" and photo.phash is not None and photo.thumbnail
    assert photo.error == "" and notes.error == ""
    # the attachment's words are found, and the message's own text stays in the index
    assert "mail.eml/notes.txt</a>" in found(client, dossier, "darkfalcon harbour")
    assert "mail.eml</a>" in found(client, dossier, "nightowl")
    page = client.get(notes.get_absolute_url()).content.decode()
    assert message.get_absolute_url() in page and "Attachment of" in page  # its parent, as an archive's member shows
    # a message without attachments is no container: nothing walked, no batch of its own
    assert not EvidenceFile.objects.filter(job=job, path__startswith="alone.eml/").exists()
    assert job.batches.filter(kind="archive").count() == 1
    assert job.files_total == 4


def test_each_message_of_a_mailbox_gives_its_attachments(client, owner, exhibit, celery_worker):
    box = mbox(
        eml("One", "first", [("a.txt", b"first attachment", "text/plain")]),
        eml("Two", "second, no attachment"),
        eml("Three", "third", [("c.png", PHOTO, "image/png"), ("c.txt", b"third attachment", "text/plain")]),
    )
    job = ingest(client, owner, exhibit, {"inbox.mbox": box})
    children = dict(EvidenceFile.objects.filter(job=job, container__path="inbox.mbox").values_list("path", "size"))
    assert children == {
        "inbox.mbox/message-1/a.txt": 16,
        "inbox.mbox/message-3/c.png": len(PHOTO),
        "inbox.mbox/message-3/c.txt": 16,
    }
    picture = EvidenceFile.objects.get(path="inbox.mbox/message-3/c.png")
    assert bytes(picture.sha256) == hashlib.sha256(PHOTO).digest() and picture.phash is not None


def test_an_outlook_message_gives_its_attachments_and_the_message_attached(
    client, owner, exhibit, dossier, celery_worker
):
    inner = OutlookMail(
        subject="Forwarded", sender=("Crow", "crow@example.net"), to=[], body="inner", attachments=[("map.txt", NOTES)]
    )
    outlook = OutlookMail(
        subject="Harbour",
        sender=("Owl", "owl@example.org"),
        to=[("Falcon", "falcon@example.net")],
        body="Here is the picture, regards nightowl",
        attachments=[("harbour.png", PHOTO)],
        messages=[inner],
    )
    job = ingest(client, owner, exhibit, {"meeting.msg": msg_bytes(outlook)})
    message = EvidenceFile.objects.get(job=job, path="meeting.msg")
    assert message.findings == [] and "meeting.msg</a>" in found(client, dossier, "nightowl")
    photo = EvidenceFile.objects.get(path="meeting.msg/harbour.png")
    assert photo.container == message and bytes(photo.sha256) == hashlib.sha256(PHOTO).digest()
    assert photo.phash is not None
    forwarded = EvidenceFile.objects.get(path="meeting.msg/Forwarded.msg")
    assert code_of(forwarded.findings[0]) == "archive.msg_message_rebuilt"
    deep = EvidenceFile.objects.get(path="meeting.msg/Forwarded.msg/map.txt")
    assert deep.archive_path == ["Forwarded.msg", "map.txt"] and bytes(deep.sha256) == hashlib.sha256(NOTES).digest()
    assert "meeting.msg/Forwarded.msg/map.txt</a>" in found(client, dossier, "darkfalcon")


@pytest.mark.parametrize("depth", [2, 3])
def test_an_email_in_a_zip_has_its_attachments_walked_as_nested_members(
    client, owner, exhibit, celery_worker, settings, depth
):
    settings.ARCHIVE_MAX_DEPTH = depth
    inner = eml("Inner", "inner body", [("deep.txt", b"deep words", "text/plain")])
    mail = eml("Outer", "outer body", [("notes.txt", NOTES, "text/plain")], messages=[inner])
    job = ingest(client, owner, exhibit, {"mails.zip": zip_bytes({"saved/mail.eml": mail})})
    paths = set(EvidenceFile.objects.filter(job=job).values_list("path", flat=True))
    assert {"mails.zip/saved/mail.eml/notes.txt", "mails.zip/saved/mail.eml/forwarded.eml"} <= paths
    forwarded = EvidenceFile.objects.get(path="mails.zip/saved/mail.eml/forwarded.eml")
    assert forwarded.mime == "message/rfc822" and forwarded.container.path == "mails.zip"
    deep = EvidenceFile.objects.filter(path="mails.zip/saved/mail.eml/forwarded.eml/deep.txt").first()
    if depth == 2:  # the zip and the e-mail are walked, the message attached to it is not
        assert deep is None and code_of(forwarded.findings[-1]) == "archive.nested_depth"
    else:
        assert deep.archive_path == ["saved/mail.eml", "forwarded.eml", "deep.txt"]
        assert bytes(deep.sha256) == hashlib.sha256(b"deep words").digest()


def test_hostile_mail_is_recorded_with_its_reason_and_the_rest_of_the_job_goes_on(
    client, owner, exhibit, dossier, celery_worker, settings
):
    settings.ARCHIVE_MAX_MEMBERS = 5
    settings.ARCHIVE_MAX_MEMBER_BYTES = 64 << 10
    flood = eml("Flood", "many", [(f"{n}.txt", b"x%d" % n, "text/plain") for n in range(8)])
    large = eml(
        "Large",
        "big",
        [("big.bin", b"\x01" * (100 << 10), "application/octet-stream"), ("ok.txt", NOTES, "text/plain")],
    )
    cut = msg_bytes(OutlookMail(subject="Cut", sender=("Owl", "owl@example.org"), to=[], body="never read"))[:1500]
    fine = eml("Fine", "fine", [(f"{n}.txt", b"y%d" % n, "text/plain") for n in range(5)])  # control: at the limit
    job = ingest(client, owner, exhibit, {"flood.eml": flood, "large.eml": large, "cut.msg": cut, "fine.eml": fine})
    flood_file = EvidenceFile.objects.get(job=job, path="flood.eml")
    assert "archive.member_limit" in [code_of(finding) for finding in flood_file.findings]
    assert EvidenceFile.objects.filter(container=flood_file).count() == 5
    big = EvidenceFile.objects.get(path="large.eml/big.bin")
    assert code_of(big.error) == "archive.member_too_large" and big.sha256 is None
    assert EvidenceFile.objects.get(path="large.eml/ok.txt").sha256 == hashlib.sha256(NOTES).digest()
    broken = EvidenceFile.objects.get(path="cut.msg")
    assert "text.msg_unreadable" in [code_of(finding) for finding in broken.findings]
    assert broken.sha256 is not None  # hashed like any file
    assert EvidenceFile.objects.filter(container__path="fine.eml").count() == 5  # control
    assert EvidenceFile.objects.get(path="fine.eml").findings == []
    assert job.status == IngestJob.Status.DONE
