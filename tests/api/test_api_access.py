"""The API's access rules beyond the table of every route x every person, which lives with the
pages' and the admin's in tests/test_access_matrix.py (API_MATRIX): what each answer holds."""

import pytest
from django.urls import reverse

from audit.models import AuditEvent


def test_the_prosecutor_sees_no_file_name_or_hash(token_client, prosecutor, dossier, exhibit, evidence_file):
    client = token_client(prosecutor)
    for url in (
        reverse("api:dossier_exhibits", args=[dossier.pk]),
        reverse("api:exhibit_detail", args=[exhibit.pk]),
        reverse("api:job_detail", args=[evidence_file.job_id]),
        reverse("api:dossier_detail", args=[dossier.pk]),
    ):
        text = client.get(url).content.decode()
        assert evidence_file.path not in text and evidence_file.sha256_hex not in text


def test_an_admin_lists_no_dossier(token_client, admin, dossier):
    assert token_client(admin).get(reverse("api:dossier_list")).json()["results"] == []


def test_a_colleague_lists_files_with_lowercase_hex_hashes_filtered_by_hash_and_triage(
    token_client, colleague, dossier, evidence_file
):
    client = token_client(colleague)
    url = reverse("api:dossier_files", args=[dossier.pk])
    listed = client.get(url).json()
    assert listed["count"] == 1
    assert listed["results"][0]["sha256"] == "01" * 32
    assert listed["results"][0]["triage"] == "new_image"
    assert client.get(url, {"hash": "01" * 32}).json()["count"] == 1
    assert client.get(url, {"hash": "02" * 32}).json()["count"] == 0
    assert client.get(url, {"triage": "known"}).json()["count"] == 0
    assert client.get(url, {"triage": "new_image"}).json()["count"] == 1


@pytest.mark.parametrize(
    "query", [{"hash": "xyz"}, {"hash": "01" * 10}, {"triage": "nonsense"}, {"hash": "\x00"}, {"page": "9"}]
)
def test_a_bad_filter_is_a_4xx_with_a_message(token_client, colleague, dossier, evidence_file, query):
    response = token_client(colleague).get(reverse("api:dossier_files", args=[dossier.pk]), query)
    assert response.status_code in (400, 404)
    assert response.json()


def test_viewing_a_file_is_audited(token_client, colleague, evidence_file):
    token_client(colleague).get(reverse("api:file_detail", args=[evidence_file.pk]))
    assert AuditEvent.objects.filter(action="file.view", actor=colleague, target_id=str(evidence_file.pk)).exists()


def test_registering_an_exhibit_is_audited_and_a_duplicate_seal_is_a_400(token_client, colleague, dossier, exhibit):
    client = token_client(colleague)
    url = reverse("api:dossier_exhibits", args=[dossier.pk])
    response = client.post(url, {"kind": "phone", "seal_number": "SC-2", "make": "Acme"})
    assert response.status_code == 201
    assert response.json()["make"] == "Acme"
    assert AuditEvent.objects.filter(action="exhibit.register", actor=colleague).count() == 1
    duplicate = client.post(url, {"kind": "phone", "seal_number": "SC-2"})
    assert duplicate.status_code == 400
    assert duplicate.json()["detail"].startswith("seal_number: This dossier already has")
    assert client.post(url, {"kind": "spaceship", "seal_number": "SC-3"}).status_code == 400


def test_the_api_records_the_same_exhibit_fields_as_the_page(token_client, colleague, dossier):
    from evidence.models import EXHIBIT_FIELDS, EXHIBIT_LINK_FIELDS

    url = reverse("api:dossier_exhibits", args=[dossier.pk])
    seized = {"power_state": "on", "locked": True, "damaged": True}
    answer = token_client(colleague).post(url, {"kind": "phone", "seal_number": "SC-7", **seized})
    assert answer.status_code == 201
    assert {key: answer.json()[key] for key in seized} == seized
    assert set(answer.json()) == {"id", "dossier", "created_at", *EXHIBIT_FIELDS} - set(EXHIBIT_LINK_FIELDS)


def test_malformed_json_is_a_400(token_client, colleague, dossier):
    client = token_client(colleague)
    response = client.generic("POST", reverse("api:dossier_exhibits", args=[dossier.pk]), "{not json")
    assert response.status_code == 400
    assert response.json()["detail"]


def test_an_id_too_large_for_the_database_is_a_json_404(token_client, colleague):
    response = token_client(colleague).get("/api/v1/dossiers/99999999999999999999999/")
    assert response.status_code == 404
    assert response.json()["detail"]
