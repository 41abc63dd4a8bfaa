"""Verifying a printed copy: the upload is hashed in blocks and refused past REPORT_VERIFY_MAX_BYTES."""

import io

from django.urls import reverse

from audit.models import AuditEvent


def test_a_copy_over_the_limit_is_refused_with_a_form_error_and_one_at_the_limit_verifies(
    client, prosecutor, report_dossier, settings
):
    dossier = report_dossier["dossier"]
    client.force_login(prosecutor)
    pdf = client.get(reverse("dossier_report_pdf", args=[dossier.pk])).content
    url = reverse("dossier_report_verify", args=[dossier.pk])

    settings.REPORT_VERIFY_MAX_BYTES = len(pdf) - 1
    refused = client.post(url, {"copy": io.BytesIO(pdf)})
    assert refused.status_code == 200
    page = refused.content.decode()
    assert "a report to verify may be at most" in page and "Paste its SHA-256 instead" in page
    assert "data-verified" not in page
    assert not AuditEvent.objects.filter(action="report.verify", dossier=dossier).exists()

    settings.REPORT_VERIFY_MAX_BYTES = len(pdf)
    accepted = client.post(url, {"copy": io.BytesIO(pdf)})
    assert 'data-verified="yes"' in accepted.content.decode()
    assert AuditEvent.objects.filter(action="report.verify", dossier=dossier).count() == 1


def test_a_copy_spooled_to_disk_is_hashed_in_blocks_and_verifies(client, owner, report_dossier, settings):
    """Past FILE_UPLOAD_MAX_MEMORY_SIZE Django keeps the upload in a temporary file; it is read block by block."""
    dossier = report_dossier["dossier"]
    client.force_login(owner)
    pdf = client.get(reverse("dossier_report_pdf", args=[dossier.pk])).content
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 1024
    answer = client.post(reverse("dossier_report_verify", args=[dossier.pk]), {"copy": io.BytesIO(pdf)})
    assert 'data-verified="yes"' in answer.content.decode()
    tampered = client.post(reverse("dossier_report_verify", args=[dossier.pk]), {"copy": io.BytesIO(pdf + b"\n")})
    assert 'data-verified="no"' in tampered.content.decode()
