import hashlib

from django.urls import reverse

from audit.models import AuditEvent
from evidence.models import EvidenceFile, IngestJob
from tests.factories import make_hash_list


def test_submitted_hashes_become_files_matched_against_the_active_lists(token_client, colleague, admin, exhibit):
    known = hashlib.sha256(b"known picture").hexdigest()
    good = hashlib.md5(b"system file").hexdigest()  # noqa: S324 - the lists' own algorithm
    make_hash_list("National list", [known], by=admin, category="1")
    make_hash_list("NSRL", [good], by=admin, kind="ignorable", category="")
    files = [
        {"path": "DCIM/1.jpg", "size": 1000, "sha256": known.upper(), "phash": "f0" * 8, "pdq": "0f" * 32},
        {"path": "Windows/x.dll", "size": 2000, "md5": good, "sha1": "aa" * 20},
        {"path": "notes.txt", "size": 10, "sha256": "bb" * 32},
    ]
    response = token_client(colleague).post(reverse("api:exhibit_hashes", args=[exhibit.pk]), {"files": files})
    assert response.status_code == 201, response.json()
    body = response.json()
    assert [(f["path"], f["triage"], f["match_list"]) for f in body["files"]] == [
        ("DCIM/1.jpg", "known", "National list"),
        ("Windows/x.dll", "known_good", "NSRL"),
        ("notes.txt", "other", ""),
    ]
    assert body["files"][0]["match_category"] == "1"
    job = IngestJob.objects.get(pk=body["job"])
    assert job.status == "done" and job.files_total == 3 and job.bytes_total == 3010
    assert job.batches.get().status == "done"
    stored = EvidenceFile.objects.get(path="DCIM/1.jpg")
    assert stored.sha256_hex == known and stored.phash_hex == "f0" * 8 and stored.exhibit == exhibit
    assert AuditEvent.objects.filter(action="ingest.hashes", actor=colleague, target_id=str(job.pk)).exists()
    # The exhibit's files, as the API lists them, carry the triage.
    listed = token_client(colleague).get(reverse("api:exhibit_files", args=[exhibit.pk]), {"triage": "known"})
    assert [f["sha256"] for f in listed.json()["results"]] == [known]


def test_a_file_without_any_digest_or_with_a_bad_one_is_a_400_and_records_nothing(token_client, colleague, exhibit):
    client = token_client(colleague)
    url = reverse("api:exhibit_hashes", args=[exhibit.pk])
    for files in (
        [{"path": "a", "size": 1}],
        [{"path": "a", "size": 1, "md5": "zz" * 16}],
        [{"path": "a", "size": 1, "phash": "ab" * 4, "sha256": "ab" * 32}],
        [{"path": "a", "size": -1, "sha256": "ab" * 32}],
        [],
    ):
        response = client.post(url, {"files": files})
        assert response.status_code == 400, files
        assert response.json()["detail"]
    assert not EvidenceFile.objects.exists()


def test_too_many_files_at_once_is_a_400(token_client, colleague, exhibit, settings):
    files = [{"path": f"f{n}", "size": 1, "sha256": f"{n:064x}"} for n in range(settings.API_MAX_SUBMITTED_FILES + 1)]
    response = token_client(colleague).post(reverse("api:exhibit_hashes", args=[exhibit.pk]), {"files": files})
    assert response.status_code == 400
    assert "files per request" in response.json()["detail"]
