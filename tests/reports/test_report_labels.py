"""The court report's list of reports and the copy check name ingest jobs by their upload: hidden from
prosecutors, shown to the investigating team (issue 18, item 5)."""

import hashlib

from django.urls import reverse

from evidence.models import IngestJob

SECRET_UPLOAD = "secret-upload-of-the-suspect.zip"
ERROR = f"Could not list the source: [Errno 2] No such file or directory: '/evidence/{SECRET_UPLOAD}'"


def ingest_report_by_owner(client, owner, exhibit) -> bytes:
    job = IngestJob.objects.create(
        exhibit=exhibit, source_label=f"upload: {SECRET_UPLOAD}", created_by=owner, status="failed", error=ERROR
    )
    client.force_login(owner)
    return client.get(reverse("ingest_report", args=[job.pk])).content


def test_a_prosecutor_reads_no_upload_name_on_the_court_report_page(client, owner, prosecutor, dossier, exhibit):
    report = ingest_report_by_owner(client, owner, exhibit)
    client.force_login(prosecutor)
    page = client.get(reverse("dossier_report", args=[dossier.pk])).content.decode()
    assert "Reports generated from this dossier" in page
    assert SECRET_UPLOAD not in page
    assert "hidden: file names are for the investigating team" in page
    verified = client.post(
        reverse("dossier_report_verify", args=[dossier.pk]), {"sha256": hashlib.sha256(report).hexdigest()}
    ).content.decode()
    assert 'data-verified="yes"' in verified and SECRET_UPLOAD not in verified


def test_the_owner_reads_the_upload_name_on_the_court_report_page(client, owner, dossier, exhibit):
    report = ingest_report_by_owner(client, owner, exhibit)
    page = client.get(reverse("dossier_report", args=[dossier.pk])).content.decode()
    assert SECRET_UPLOAD in page
    verified = client.post(
        reverse("dossier_report_verify", args=[dossier.pk]), {"sha256": hashlib.sha256(report).hexdigest()}
    ).content.decode()
    assert 'data-verified="yes"' in verified and SECRET_UPLOAD in verified


def test_a_prosecutor_reads_no_job_error_in_the_ingest_report_and_the_owner_does(
    client, owner, prosecutor, dossier, exhibit
):
    assert ERROR.replace("'", "&#x27;") in ingest_report_by_owner(client, owner, exhibit).decode()
    job = IngestJob.objects.get(source_label__endswith=SECRET_UPLOAD)
    client.force_login(prosecutor)
    page = client.get(reverse("ingest_report", args=[job.pk])).content.decode()
    assert "Failed" in page and SECRET_UPLOAD not in page
