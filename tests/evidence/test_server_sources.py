import os

import pytest
from django.urls import reverse

from audit.models import AuditEvent
from config.messages import english
from evidence.ingest.server_paths import OutsideSources, resolve_source
from evidence.models import IngestJob, IngestSource
from tests.factories import grant_folder


@pytest.fixture
def evidence_server(tmp_path, settings, dossier, admin):
    """An evidence source whose folder case-42 is granted to the dossier."""
    root = tmp_path / "sources"
    (root / "case-42" / "usb").mkdir(parents=True)
    (root / "case-42" / "usb" / "photo.jpg").write_bytes(b"jpeg")
    (tmp_path / "secret").mkdir()
    (tmp_path / "secret" / "other-case.txt").write_bytes(b"not yours")
    os.symlink(tmp_path / "secret", root / "escape")
    settings.EVIDENCE_SOURCES = [root]
    grant_folder(dossier, "case-42", by=admin)
    return root


@pytest.mark.parametrize("path", ["../secret", "case-42/../../secret", "/etc", "escape", "escape/other-case.txt"])
def test_no_path_leads_outside_the_allowed_roots(evidence_server, path):
    with pytest.raises(OutsideSources):
        resolve_source([evidence_server], 0, path)
    assert resolve_source([evidence_server], 0, "case-42/usb") == (evidence_server / "case-42" / "usb").resolve()


def test_an_investigator_browses_and_ingests_a_folder_where_it_lies(client, owner, exhibit, evidence_server):
    client.force_login(owner)
    url = reverse("exhibit_ingest_server", args=[exhibit.pk])
    page = client.get(url, {"path": "case-42"}).content.decode()
    assert "usb/" in page
    response = client.post(url, {"root": 0, "path": "case-42/usb"})
    assert response.status_code == 302
    source = IngestSource.objects.get()
    assert (source.kind, source.path) == ("folder", str((evidence_server / "case-42" / "usb").resolve()))
    assert IngestJob.objects.get().exhibit == exhibit


def test_a_path_outside_the_roots_is_refused_logged_and_creates_nothing(client, owner, exhibit, evidence_server):
    client.force_login(owner)
    url = reverse("exhibit_ingest_server", args=[exhibit.pk])
    response = client.post(url, {"root": 0, "path": "../secret"}, follow=True)
    assert b"outside the evidence sources" in response.content
    assert client.post(url, {"root": 5, "path": ""}).status_code == 302
    assert not IngestJob.objects.exists()
    assert AuditEvent.objects.filter(action="ingest.refused_path", actor=owner).count() == 2
    client.post(url, {"root": 0, "path": "case-42"})  # control
    assert IngestJob.objects.count() == 1


def test_a_prosecutor_cannot_ingest_and_an_outsider_cannot_see(client, prosecutor, outsider, exhibit, evidence_server):
    url = reverse("exhibit_ingest_server", args=[exhibit.pk])
    client.force_login(prosecutor)
    assert client.post(url, {"root": 0, "path": "case-42"}).status_code == 403
    client.force_login(outsider)
    assert client.get(url).status_code == 404
    assert not IngestJob.objects.exists()


def test_an_investigator_cancels_a_job_and_a_prosecutor_cannot(client, owner, prosecutor, exhibit):
    job = IngestJob.objects.create(exhibit=exhibit, source_label="x", created_by=owner, status="running")
    client.force_login(prosecutor)
    assert client.post(reverse("job_cancel", args=[job.pk])).status_code == 403
    client.force_login(owner)
    assert client.post(reverse("job_cancel", args=[job.pk])).status_code == 302
    job.refresh_from_db()
    assert job.status == "cancelled"
    assert AuditEvent.objects.filter(action="ingest.cancel", actor=owner).exists()


def test_an_unmounted_source_shows_a_clear_message_not_an_error(client, owner, exhibit, settings, tmp_path, admin):
    settings.EVIDENCE_SOURCES = [tmp_path / "not-mounted"]
    (tmp_path / "not-mounted" / "case-42").mkdir(parents=True)
    grant_folder(exhibit.dossier, "case-42", by=admin)
    (tmp_path / "not-mounted" / "case-42").rmdir()
    (tmp_path / "not-mounted").rmdir()
    client.force_login(owner)
    response = client.get(reverse("exhibit_ingest_server", args=[exhibit.pk]))
    assert response.status_code == 200 and b"is the storage mounted?" in response.content


def test_an_upload_over_the_limit_is_refused_before_it_is_read(client, owner, exhibit, settings):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.UPLOAD_MAX_BYTES = 1000
    client.force_login(owner)
    url = reverse("exhibit_ingest", args=[exhibit.pk])
    big = SimpleUploadedFile("big.bin", b"x" * 5000)
    response = client.post(url, {"files": [big]})
    assert response.status_code == 413 and b"at most 1000" in response.content
    assert not IngestJob.objects.exists()
    assert AuditEvent.objects.filter(action="upload.refused", actor=owner).exists()
    small = SimpleUploadedFile("small.bin", b"x" * 100)
    assert client.post(url, {"files": [small]}).status_code == 302  # control
    assert IngestJob.objects.count() == 1


def test_the_ingest_file_buttons_share_the_archive_password_field(client, owner, exhibit, evidence_server):
    client.force_login(owner)
    page = client.get(reverse("exhibit_ingest_server", args=[exhibit.pk]), {"path": "case-42/usb"}).content.decode()
    assert 'id="ingest-form"' in page and 'name="archive_password"' in page
    # A real button per file (reached with Tab, pressed with Enter or Space), submitting that form.
    assert '<button type="submit" form="ingest-form" name="path" value="case-42/usb/photo.jpg"' in page


@pytest.mark.parametrize("password", ["correct horse", "wrong"])
def test_an_encrypted_zip_ingested_with_its_file_button_opens_with_the_right_password_only(
    client, owner, exhibit, evidence_server, password
):
    import hashlib

    from evidence.models import EvidenceFile
    from tests.evidence.test_encrypted_archives import SECRET, aes_zip
    from tests.evidence.test_ingest import run_inline

    (evidence_server / "case-42" / "seized.zip").write_bytes(aes_zip(SECRET, "correct horse"))
    client.force_login(owner)
    url = reverse("exhibit_ingest_server", args=[exhibit.pk])
    response = client.post(url, {"root": 0, "path": "case-42/seized.zip", "archive_password": password})
    assert response.status_code == 302
    job = run_inline(IngestJob.objects.get())
    assert job.status == "done" and job.archive_password is None
    members = {f.path: f for f in EvidenceFile.objects.filter(path__startswith="seized.zip/")}
    assert set(members) == {f"seized.zip/{name}" for name in SECRET}
    if password == "correct horse":
        for name, content in SECRET.items():
            member = members[f"seized.zip/{name}"]
            assert member.error == "" and member.sha256_hex == hashlib.sha256(content).hexdigest()
    else:  # refused: each member recorded, with the reason, and counted among the job's errors
        assert all(
            english(m.error) == "encrypted archive member: the password given does not open it"
            for m in members.values()
        )
        assert all(m.triage == "error" for m in members.values())


def test_the_page_and_the_api_ingest_a_server_path_through_one_service_that_records_the_address(
    client, owner, exhibit, evidence_server
):
    from api.services import api_token_create
    from tests.api.conftest import TokenClient

    client.force_login(owner)
    page = client.post(
        reverse("exhibit_ingest_server", args=[exhibit.pk]),
        {"root": "0", "path": "case-42/usb"},
        REMOTE_ADDR="10.0.0.7",
    )
    assert page.status_code == 302
    api = TokenClient(api_token_create(user=owner, name="test")[1])
    answer = api.post(
        reverse("api:exhibit_ingest", args=[exhibit.pk]), {"root": 0, "path": "case-42"}, REMOTE_ADDR="10.0.0.8"
    )
    assert answer.status_code == 201
    created = AuditEvent.objects.filter(action="ingest.create", actor=owner).order_by("id")
    assert list(created.values_list("ip", flat=True)) == ["10.0.0.7", "10.0.0.8"]
    # A refusal on either path is recorded the same way, with the address.
    assert (
        client.post(reverse("exhibit_ingest_server", args=[exhibit.pk]), {"root": "x", "path": "case-42"}).status_code
        == 302
    )
    assert (
        api.post(reverse("api:exhibit_ingest", args=[exhibit.pk]), {"root": 0, "path": "../secret"}).status_code == 400
    )
    refused = AuditEvent.objects.filter(action="ingest.refused_path", actor=owner)
    assert refused.count() == 2 and None not in refused.values_list("ip", flat=True)
    assert IngestJob.objects.count() == 2
