from django.urls import reverse

from audit.models import AuditEvent
from evidence.models import IngestJob


def test_an_investigator_starts_an_ingest_from_an_allowed_folder_and_reads_its_progress(
    token_client, colleague, exhibit, settings, tmp_path
):
    (tmp_path / "card").mkdir()
    (tmp_path / "card" / "a.txt").write_bytes(b"abc")
    settings.EVIDENCE_SOURCES = [tmp_path]
    client = token_client(colleague)
    response = client.post(reverse("api:exhibit_ingest", args=[exhibit.pk]), {"root": 0, "path": "card"})
    assert response.status_code == 201, response.json()
    job = IngestJob.objects.get(pk=response.json()["id"])
    assert job.sources.get().path == str((tmp_path / "card").resolve())
    progress = client.get(reverse("api:job_detail", args=[job.pk])).json()
    assert progress["status"] == "queued"
    assert progress["progress"]["percent"] == 0


def test_a_path_outside_the_sources_is_a_400_that_says_so_and_is_audited(
    token_client, colleague, exhibit, settings, tmp_path
):
    (tmp_path / "allowed").mkdir()
    settings.EVIDENCE_SOURCES = [tmp_path / "allowed"]
    client = token_client(colleague)
    url = reverse("api:exhibit_ingest", args=[exhibit.pk])
    for body in ({"root": 0, "path": "../"}, {"root": 0, "path": "/etc/../../etc"}, {"root": 5, "path": "x"}):
        response = client.post(url, body)
        assert response.status_code == 400, body
        assert response.json()["detail"].startswith("path: "), body
    assert "outside the evidence sources" in client.post(url, {"root": 0, "path": "../"}).json()["detail"]
    assert AuditEvent.objects.filter(action="ingest.refused_path", actor=colleague).count() == 4
    assert not IngestJob.objects.exists()


def test_a_missing_path_inside_the_sources_is_a_400(token_client, colleague, exhibit, settings, tmp_path):
    settings.EVIDENCE_SOURCES = [tmp_path]
    response = token_client(colleague).post(reverse("api:exhibit_ingest", args=[exhibit.pk]), {"path": "nothing"})
    assert response.status_code == 400
    assert "No such file or folder" in response.json()["detail"]
