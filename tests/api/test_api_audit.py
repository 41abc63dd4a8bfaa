"""Every file list, hash query and hash lookup through the API is an audit event with its query and counts.

The pages ask for the second factor again before an export; a token cannot (it stands for a script),
so the API's lists hold on the token (made after a step-up, bound to its user's credentials,
expiring: test_token_lifetime.py) and on this record of who asked for what.
"""

import hashlib

from django.urls import reverse

from audit.models import AuditEvent
from tests.factories import make_hash_list


def test_a_dossiers_file_list_is_audited_with_its_query_and_count(token_client, colleague, dossier, evidence_file):
    client = token_client(colleague)
    url = reverse("api:dossier_files", args=[dossier.pk])
    assert client.get(url).json()["count"] == 1
    event = AuditEvent.objects.get(action="files.list", actor=colleague)
    assert event.dossier_id == dossier.pk and event.target_type == "cases.dossier"
    assert event.detail["query"] == {} and event.detail["count"] == 1 and event.detail["returned"] == 1
    assert event.detail["via"] == "api"


def test_a_hash_query_is_audited_with_the_hash_asked_for(token_client, colleague, exhibit, evidence_file):
    client = token_client(colleague)
    url = reverse("api:exhibit_files", args=[exhibit.pk])
    known, unknown = evidence_file.sha256_hex, "ab" * 32
    assert client.get(url, {"hash": known}).json()["count"] == 1
    assert client.get(url, {"hash": unknown, "triage": "new_image"}).json()["count"] == 0
    events = AuditEvent.objects.filter(action="files.list", actor=colleague, target_type="evidence.exhibit")
    queries = sorted((event.detail["query"].get("hash"), event.detail["count"]) for event in events)
    assert queries == sorted([(known, 1), (unknown, 0)])
    assert all(event.dossier_id == exhibit.dossier_id for event in events)


def test_a_refused_file_list_leaves_no_list_behind(token_client, outsider, prosecutor, dossier, evidence_file):
    url = reverse("api:dossier_files", args=[dossier.pk])
    assert token_client(outsider).get(url).status_code == 404
    assert token_client(prosecutor).get(url).status_code == 403
    assert not AuditEvent.objects.filter(action="files.list").exists()


def test_a_hash_lookup_is_audited_with_the_hashes_and_what_was_found(token_client, colleague, admin):
    known = hashlib.sha256(b"known").hexdigest()
    make_hash_list("National list", [known], by=admin)
    asked = sorted([known, hashlib.md5(b"other").hexdigest()])
    response = token_client(colleague).post(reverse("api:hash_lookup"), {"hashes": [h.upper() for h in asked]})
    assert response.status_code == 200
    event = AuditEvent.objects.get(action="hashes.lookup", actor=colleague)
    assert event.detail["count"] == 2 and event.detail["found"] == 1
    assert event.detail["hashes"] == asked and event.detail["found_hashes"] == [known]
    assert event.detail["hashes_sha256"] == hashlib.sha256("\n".join(asked).encode()).hexdigest()


def test_a_refused_hash_lookup_writes_no_lookup_event(token_client, prosecutor, colleague):
    assert token_client(prosecutor).post(reverse("api:hash_lookup"), {"hashes": ["00" * 16]}).status_code == 403
    assert not AuditEvent.objects.filter(action="hashes.lookup").exists()
    assert token_client(colleague).post(reverse("api:hash_lookup"), {"hashes": ["00" * 16]}).status_code == 200
    assert AuditEvent.objects.filter(action="hashes.lookup", actor=colleague).count() == 1  # control
