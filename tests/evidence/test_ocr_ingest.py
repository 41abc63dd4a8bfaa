"""Pictures and scanned PDFs ingested through the real pipeline (a Celery worker on the real broker)
have their text read by Tesseract after hashing, found by the search as text read from the picture;
hostile documents and pictures are recorded on the job with their reason and the rest goes on."""

import io

import pytest
from django.urls import reverse

from audit.models import AuditEvent
from config.messages import code_of, message
from evidence.ingest.failures import ingest_batch_fail
from evidence.models import EvidenceFile, Exhibit, FileText, IngestBatch, IngestJob, TextIndexJob
from evidence.search.ocr import exhibit_ocr_on
from tests.factories import make_exhibit, wait_until, zip_bytes
from tests.texts.documents import (
    docx_bomb_bytes,
    nested_mbox_bytes,
    noisy_picture,
    pdf_page_tree_bomb_bytes,
    picture_bytes,
    scanned_pdf_bytes,
    text_picture,
)

pytestmark = pytest.mark.django_db(transaction=True)


def upload(name, content):
    stream = io.BytesIO(content)
    stream.name = name
    return stream


def ingest(client, exhibit, documents: dict) -> IngestJob:
    response = client.post(
        reverse("exhibit_ingest", args=[exhibit.pk]),
        {"files": [upload(name, content) for name, content in documents.items()]},
    )
    assert response.status_code == 302
    job = IngestJob.objects.filter(exhibit=exhibit).order_by("-pk").first()
    wait_until(lambda: IngestJob.objects.get(pk=job.pk).is_finished, timeout=120)
    return job


def hits(client, dossier, query: str, **filters) -> dict[str, set[str]]:
    """The files found, each with the kinds of text it was found in."""
    page = client.get(reverse("dossier_text_search", args=[dossier.pk]), {"q": query, **filters})
    assert page.status_code == 200
    found: dict[str, set[str]] = {}
    for text in page.context["page"] or []:
        found.setdefault(text.file.path, set()).add(text.kind)
    return found


def codes(record: EvidenceFile) -> list[str]:
    record.refresh_from_db()
    return [code_of(finding) for finding in record.findings]


@pytest.fixture
def english_exhibit(exhibit, ocr_on):
    exhibit.text_language = "english"  # Tesseract's English alone: the test reads faster
    exhibit.save(update_fields=["text_language"])
    return exhibit


def test_pictures_are_read_after_hashing_and_hostile_files_recorded_while_the_rest_goes_on(
    client, owner, dossier, english_exhibit, celery_worker, settings
):
    settings.OCR_MAX_SECONDS = 1
    settings.TEXT_MAX_MEMBER_BYTES = 1 << 20
    client.force_login(owner)
    job = ingest(
        client,
        english_exhibit,
        {
            "scan.png": picture_bytes(text_picture("Zonnebloemstraat 12")),
            "letter.pdf": scanned_pdf_bytes(text_picture("Kerkstraat 12 Gent")),
            "noise.png": picture_bytes(noisy_picture(2000)),  # keeps Tesseract busy past OCR_MAX_SECONDS
            "pages.pdf": pdf_page_tree_bomb_bytes(40),
            "nested.mbox": nested_mbox_bytes(400, then="goodword"),
            "bomb.docx": docx_bomb_bytes(8 << 20),
            "notes.txt": b"Zonnebloemstraat in a text file",
        },
    )
    assert hits(client, dossier, "zonnebloemstraat") == {"scan.png": {"ocr"}, "notes.txt": {"content"}}
    assert hits(client, dossier, "kerkstraat", type="pdf") == {"letter.pdf": {"ocr"}}
    assert hits(client, dossier, "goodword") == {"nested.mbox": {"content"}}
    # the hostile ones: each recorded on its file with its reason, counted on the job's batches
    noise, pages = EvidenceFile.objects.get(path="noise.png"), EvidenceFile.objects.get(path="pages.pdf")
    assert "ocr.time_limit" in codes(noise)
    assert "text.pdf_unreadable" in codes(pages)
    assert "text.mbox_message_skipped" in codes(EvidenceFile.objects.get(path="nested.mbox"))
    assert "text.member_too_large" in codes(EvidenceFile.objects.get(path="bomb.docx"))
    # one OCR batch after the pictures' batch, one after the documents' (the PDFs)
    ocr_batches = job.batches.filter(kind=IngestBatch.Kind.OCR)
    assert ocr_batches.count() == 2 and not ocr_batches.exclude(status=IngestBatch.Status.DONE).exists()
    assert sum(batch.errors for batch in ocr_batches) == 1  # the noise (pages.pdf did not open: not a candidate)
    assert noise.error == "" and noise.triage != EvidenceFile.Triage.ERROR  # hashed and matched like any file
    # the file page shows the text read, and the picture stays veiled
    page = client.get(EvidenceFile.objects.get(path="scan.png").get_absolute_url()).content.decode()
    assert 'data-testid="file-ocr-text"' in page and "Zonnebloemstraat" in page
    assert 'data-testid="thumbnail-veiled"' in page and 'data-testid="thumbnail-revealed"' not in page


def test_an_exhibit_switched_off_reads_no_picture_until_switched_on_and_indexed(
    client, owner, colleague, dossier, english_exhibit, celery_worker
):
    client.force_login(owner)
    assert client.post(reverse("exhibit_ocr", args=[english_exhibit.pk]), {"ocr": "off"}).status_code == 302
    job = ingest(client, english_exhibit, {"scan.png": picture_bytes(text_picture("Zonnebloemstraat"))})
    assert not job.batches.filter(kind=IngestBatch.Kind.OCR).exists()
    assert not FileText.objects.filter(kind=FileText.Kind.OCR).exists()
    assert hits(client, dossier, "zonnebloemstraat") == {}
    client.force_login(colleague)
    client.post(reverse("exhibit_ocr", args=[english_exhibit.pk]), {"ocr": "on"})
    assert Exhibit.objects.get(pk=english_exhibit.pk).ocr == "on"
    event = AuditEvent.objects.filter(action="exhibit.ocr").latest("pk")
    assert event.detail["before"] == "off" and event.detail["after"] == "on"
    assert client.post(reverse("text_index_start", args=[dossier.pk])).status_code == 302
    index = TextIndexJob.objects.get(dossier=dossier)
    assert index.files_total == 1
    wait_until(lambda: TextIndexJob.objects.get(pk=index.pk).is_finished)
    assert hits(client, dossier, "zonnebloemstraat") == {"scan.png": {"ocr"}}


def test_auto_reads_the_pictures_of_a_small_exhibit_only(owner, exhibit, settings, ocr_on):
    job = IngestJob.objects.create(exhibit=exhibit, source_label="test", created_by=owner)
    IngestBatch.objects.create(job=job, number=1, kind=IngestBatch.Kind.MEDIA, files_count=30)
    settings.OCR_AUTO_MAX_FILES = 29
    assert not exhibit_ocr_on(exhibit)
    exhibit.ocr = Exhibit.Ocr.ON
    assert exhibit_ocr_on(exhibit)  # on: whatever it holds
    settings.OCR_ENABLED = False
    assert not exhibit_ocr_on(exhibit)  # off in the whole installation
    settings.OCR_ENABLED, settings.OCR_AUTO_MAX_FILES, exhibit.ocr = True, 30, Exhibit.Ocr.AUTO
    assert exhibit_ocr_on(exhibit)  # control: at the limit


def test_an_ocr_batch_stopped_by_its_time_limit_is_said_on_the_job_which_ends(owner, exhibit):
    job = IngestJob.objects.create(exhibit=exhibit, source_label="test", created_by=owner, status="running")
    files = IngestBatch.objects.create(job=job, number=1, kind=IngestBatch.Kind.MEDIA, status="done")
    ocr = IngestBatch.objects.create(job=job, number=2, kind=IngestBatch.Kind.OCR, parent=files, status="running")
    ingest_batch_fail(batch_id=ocr.pk, reason=message("job.time_limit"))
    job.refresh_from_db()
    assert "job.ocr_stopped" in [code_of(line) for line in job.error_lines]
    assert job.status == IngestJob.Status.DONE  # control: the job is not left running for good


def mail_with_attachment(name: str, content: bytes, maintype: str, subtype: str) -> bytes:
    from email.message import EmailMessage

    mail = EmailMessage()
    mail["From"], mail["To"], mail["Subject"] = "a@example.org", "b@example.org", "scans"
    mail.set_content("the scans, attached")
    mail.add_attachment(content, maintype=maintype, subtype=subtype, filename=name)
    return bytes(mail)


def test_pictures_inside_archives_and_attached_to_mails_are_read_from_one_walk_of_their_archive(
    client, owner, colleague, dossier, english_exhibit, celery_worker
):
    """A page scanned into a zip, a scanned PDF attached to an e-mail (itself in the zip): their
    archive's expansion gets an OCR batch that reads them from one walk of it. Switched off at
    ingest, the text index job reads them the same way; a picture outside any archive is read too."""
    letter = scanned_pdf_bytes(text_picture("Kerkstraat 12 Gent"))
    archive = zip_bytes(
        {
            "scans/page.png": picture_bytes(text_picture("Zonnebloemstraat 12")),
            "mail/scans.eml": mail_with_attachment("letter.pdf", letter, "application", "pdf"),
        }
    )
    client.force_login(owner)
    job = ingest(
        client, english_exhibit, {"seized.zip": archive, "loose.png": picture_bytes(text_picture("Beukenlaan"))}
    )
    job.refresh_from_db()
    assert job.status == IngestJob.Status.DONE
    found = hits(client, dossier, "zonnebloemstraat")
    assert found == {"seized.zip/scans/page.png": {"ocr"}}
    assert hits(client, dossier, "kerkstraat") == {"seized.zip/mail/scans.eml/letter.pdf": {"ocr"}}
    assert hits(client, dossier, "beukenlaan") == {"loose.png": {"ocr"}}  # control: outside any archive
    ocr_batches = job.batches.filter(kind=IngestBatch.Kind.OCR)
    assert ocr_batches.filter(parent__kind=IngestBatch.Kind.ARCHIVE).count() == 1
    assert not ocr_batches.exclude(status=IngestBatch.Status.DONE).exists() and not ocr_batches.filter(errors__gt=0)

    # The same pictures in a second exhibit switched off at ingest: read by the text index job.
    other = make_exhibit(dossier, "SC-OCR-2", by=owner)
    other.text_language = "english"
    other.save(update_fields=["text_language"])
    assert client.post(reverse("exhibit_ocr", args=[other.pk]), {"ocr": "off"}).status_code == 302
    ingest(client, other, {"again.zip": archive})
    assert set(hits(client, dossier, "zonnebloemstraat", exhibit=other.pk)) == set()
    client.post(reverse("exhibit_ocr", args=[other.pk]), {"ocr": "on"})
    assert client.post(reverse("text_index_start", args=[dossier.pk])).status_code == 302
    index = TextIndexJob.objects.get(dossier=dossier)
    wait_until(lambda: TextIndexJob.objects.get(pk=index.pk).is_finished, timeout=120)
    assert TextIndexJob.objects.get(pk=index.pk).errors == 0
    assert set(hits(client, dossier, "kerkstraat", exhibit=other.pk)) == {"again.zip/mail/scans.eml/letter.pdf"}
