import hashlib
import io

from django.urls import reverse
from pypdf import PdfReader

from audit.models import AuditEvent
from tests.reports.test_dossier_report import pdf_images


def text_of(content: bytes) -> str:
    return " ".join(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages).split())


def test_prosecutor_downloads_the_custody_sheet_as_pdf(client, prosecutor, report_dossier, exhibit):
    client.force_login(prosecutor)
    response = client.get(reverse("custody_sheet_pdf", args=[exhibit.pk]))
    assert response.status_code == 200
    text = text_of(response.content)
    assert "Chain of custody" in text and "SC-1" in text and "Inspecteur A" in text and "S-0001" in text
    assert "page 1 of 1" in text
    assert pdf_images(response.content) == []
    event = AuditEvent.objects.filter(action="report.custody").latest("id")
    assert event.detail["sha256"] == hashlib.sha256(response.content).hexdigest()
    # A custody sheet is a report of the dossier: a printed copy verifies on the dossier's page.
    answer = client.post(
        reverse("dossier_report_verify", args=[report_dossier["dossier"].pk]), {"copy": io.BytesIO(response.content)}
    )
    assert 'data-verified="yes"' in answer.content.decode()


def test_ingest_report_gives_the_job_figures_without_file_names(client, prosecutor, report_dossier):
    job = report_dossier["job"]
    client.force_login(prosecutor)
    response = client.get(reverse("ingest_report_pdf", args=[job.pk]))
    assert response.status_code == 200
    text = text_of(response.content)
    assert "Ingest report" in text and f"#{job.pk}" in text
    assert "6 15000 3 0 2 1 0 0" in text  # files, bytes, known, known good, new, errors, pending, deleted
    assert "secret-name" not in text
    assert pdf_images(response.content) == []
    assert AuditEvent.objects.filter(action="report.ingest", detail__format="pdf").count() == 1
    html = client.get(reverse("ingest_report", args=[job.pk])).content.decode()
    assert "<img" not in html and "upload" not in html.split("<h2")[1]  # the source is for the team only
