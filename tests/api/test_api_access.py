"""One table for the API: every route x every kind of person (by token), and the answer each gets.

The same rules as the pages (tests/test_access_matrix.py): outsiders and admins (no members) get
404, the read-only prosecutor 403 on writes and on file names and hashes, anonymous callers 401.
A route added without a row fails `test_every_api_route_has_a_row`.
"""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from audit.models import AuditEvent
from tests.factories import grant_folder

PEOPLE = ("anonymous", "outsider", "prosecutor", "colleague", "admin", "owner")


def _api_names(patterns, inside=False):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _api_names(pattern.url_patterns, inside or pattern.namespace == "api")
        elif isinstance(pattern, URLPattern) and inside and pattern.name:
            yield f"api:{pattern.name}"


def exhibit_body(objects):
    objects["seal"] += 1
    return {"kind": "usb_key", "seal_number": f"API-{objects['seal']}"}


def hashes_body(objects):
    return {"files": [{"path": "card/a.jpg", "size": 3, "sha256": "ab" * 32}]}


#  name: (method, argument, body, (status per person, in the order of PEOPLE))
MATRIX = {
    "api:dossier_list": ("GET", "", None, (401, 200, 200, 200, 200, 200)),
    "api:dossier_detail": ("GET", "dossier", None, (401, 404, 200, 200, 404, 200)),
    "api:dossier_exhibits": ("GET", "dossier", None, (401, 404, 200, 200, 404, 200)),
    "api:dossier_exhibits POST": ("POST", "dossier", exhibit_body, (401, 404, 403, 201, 404, 201)),
    "api:dossier_suspects": ("GET", "dossier", None, (401, 404, 200, 200, 404, 200)),
    "api:dossier_files": ("GET", "dossier", None, (401, 404, 403, 200, 404, 200)),
    "api:exhibit_detail": ("GET", "exhibit", None, (401, 404, 200, 200, 404, 200)),
    "api:exhibit_files": ("GET", "exhibit", None, (401, 404, 403, 200, 404, 200)),
    "api:exhibit_hashes": ("POST", "exhibit", hashes_body, (401, 404, 403, 201, 404, 201)),
    "api:exhibit_ingest": ("POST", "exhibit", {"root": 0, "path": "card"}, (401, 404, 403, 201, 404, 201)),
    "api:job_detail": ("GET", "job", None, (401, 404, 200, 200, 404, 200)),
    "api:file_detail": ("GET", "file", None, (401, 404, 403, 200, 404, 200)),
    # Not tied to a dossier: investigators and admins, not prosecutors.
    "api:hash_lookup": ("POST", "", {"hashes": ["00" * 16]}, (401, 200, 403, 200, 200, 200)),
    "api:schema": ("GET", "", None, (401, 200, 200, 200, 200, 200)),
    # A page for people (a verified session), checked in test_api_docs.py; by token, the login page.
    "api:docs": ("GET", "", None, (302, 302, 302, 302, 302, 302)),
    "api:not_found": ("GET", "", None, (404, 404, 404, 404, 404, 404)),
}


def test_every_api_route_has_a_row():
    defined = set(_api_names(get_resolver().url_patterns))
    rows = {name.split(" ")[0] for name in MATRIX}
    assert defined - rows == set(), "add these API routes to MATRIX"
    assert rows - defined == set(), "MATRIX names API routes that no longer exist"


@pytest.fixture
def objects(dossier, exhibit, evidence_file, settings, tmp_path, admin):
    (tmp_path / "card").mkdir()
    (tmp_path / "card" / "a.txt").write_bytes(b"abc")
    settings.EVIDENCE_SOURCES = [tmp_path]
    grant_folder(dossier, "card", by=admin)
    return {
        "dossier": [dossier.pk],
        "exhibit": [exhibit.pk],
        "job": [evidence_file.job_id],
        "file": [evidence_file.pk],
        "seal": 0,
    }


def test_each_person_gets_the_expected_answer_on_each_route(
    token_client, objects, outsider, prosecutor, colleague, admin, owner
):
    people = {
        "anonymous": None,
        "outsider": outsider,
        "prosecutor": prosecutor,
        "colleague": colleague,
        "admin": admin,
        "owner": owner,
    }
    clients = {person: token_client(user) for person, user in people.items()}
    got, expected = {}, {}
    for row, (method, argument, body, statuses) in MATRIX.items():
        name = row.split(" ")[0]
        url = reverse(name, args=objects[argument] if argument else [])
        if name == "api:not_found":
            url = "/api/v1/nowhere/"
        for person, status in zip(PEOPLE, statuses, strict=True):
            client = clients[person]
            if method == "POST":
                data = body(objects) if callable(body) else body
                response = client.post(url, data)
            else:
                response = client.get(url)
            got[row, person] = response.status_code
            expected[row, person] = status
            if 400 <= response.status_code < 500:
                # Every refusal is JSON with a message, never an HTML page.
                assert "json" in response["Content-Type"], (row, person)
                assert response.json().get("detail"), (row, person)
    assert {key: value for key, value in got.items() if expected[key] != value} == {}


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


def test_malformed_json_is_a_400(token_client, colleague, dossier):
    client = token_client(colleague)
    response = client.generic("POST", reverse("api:dossier_exhibits", args=[dossier.pk]), "{not json")
    assert response.status_code == 400
    assert response.json()["detail"]


def test_an_id_too_large_for_the_database_is_a_json_404(token_client, colleague):
    response = token_client(colleague).get("/api/v1/dossiers/99999999999999999999999/")
    assert response.status_code == 404
    assert response.json()["detail"]
