from django.urls import reverse

from audit.models import AuditEvent
from evidence.models import IngestJob
from tests.factories import grant_folder


def test_an_investigator_starts_an_ingest_from_an_allowed_folder_and_reads_its_progress(
    token_client, colleague, exhibit, settings, tmp_path, admin
):
    (tmp_path / "card").mkdir()
    (tmp_path / "card" / "a.txt").write_bytes(b"abc")
    settings.EVIDENCE_SOURCES = [tmp_path]
    grant_folder(exhibit.dossier, "card", by=admin)
    client = token_client(colleague)
    response = client.post(reverse("api:exhibit_ingest", args=[exhibit.pk]), {"root": 0, "path": "card"})
    assert response.status_code == 201, response.json()
    job = IngestJob.objects.get(pk=response.json()["id"])
    assert job.sources.get().path == str((tmp_path / "card").resolve())
    progress = client.get(reverse("api:job_detail", args=[job.pk])).json()
    assert progress["status"] == "queued"
    assert progress["progress"]["percent"] == 0


def test_a_path_outside_the_sources_is_a_400_that_says_so_and_is_audited(
    token_client, colleague, exhibit, settings, tmp_path, admin
):
    (tmp_path / "allowed" / "card").mkdir(parents=True)
    settings.EVIDENCE_SOURCES = [tmp_path / "allowed"]
    grant_folder(exhibit.dossier, "card", by=admin)
    client = token_client(colleague)
    url = reverse("api:exhibit_ingest", args=[exhibit.pk])
    for body in ({"root": 0, "path": "../"}, {"root": 0, "path": "/etc/../../etc"}, {"root": 5, "path": "x"}):
        response = client.post(url, body)
        assert response.status_code == 400, body
        assert response.json()["detail"].startswith("path: "), body
    assert "outside the evidence sources" in client.post(url, {"root": 0, "path": "../"}).json()["detail"]
    assert AuditEvent.objects.filter(action="ingest.refused_path", actor=colleague).count() == 4
    assert not IngestJob.objects.exists()


def test_a_missing_path_inside_a_granted_folder_is_a_400(token_client, colleague, exhibit, settings, tmp_path, admin):
    (tmp_path / "card").mkdir()
    settings.EVIDENCE_SOURCES = [tmp_path]
    grant_folder(exhibit.dossier, "card", by=admin)
    response = token_client(colleague).post(reverse("api:exhibit_ingest", args=[exhibit.pk]), {"path": "card/nothing"})
    assert response.status_code == 400
    assert "No such file or folder" in response.json()["detail"]


def test_an_investigator_cannot_ingest_a_folder_granted_only_to_another_dossier(
    token_client, owner, exhibit, other_dossier, admin, settings, tmp_path
):
    for case in ("case-A", "case-B"):
        (tmp_path / case).mkdir()
        (tmp_path / case / "a.txt").write_bytes(b"abc")
    settings.EVIDENCE_SOURCES = [tmp_path]
    grant_folder(exhibit.dossier, "case-A", by=admin)
    grant_folder(other_dossier, "case-B", by=admin)
    client = token_client(owner)
    url = reverse("api:exhibit_ingest", args=[exhibit.pk])
    for path in ("case-B", "case-B/a.txt", "case-B/missing", ""):
        assert client.post(url, {"root": 0, "path": path}).status_code == 404, path
    assert not IngestJob.objects.exists()
    assert AuditEvent.objects.filter(action="ingest.refused_path", actor=owner).count() == 4
    response = client.post(url, {"root": 0, "path": "case-A"})  # control: the dossier's own folder
    assert response.status_code == 201, response.json()
    assert IngestJob.objects.get().sources.get().path == str((tmp_path / "case-A").resolve())
