"""Chunked, resumable uploads: chunks in order only, resume from the server's offset, hash computed here."""

import hashlib
import random

import pytest
from django.urls import reverse

from audit.models import AuditEvent
from evidence.models import ChunkedUpload, EvidenceFile, IngestJob
from tests.evidence.test_ingest import run_inline
from tests.factories import zip_bytes

CONTENT = random.Random(11).randbytes(250_000)


@pytest.fixture(autouse=True)
def _small_chunks(settings, tmp_path):
    settings.UPLOAD_CHUNK_BYTES = 64 * 1024
    settings.UPLOAD_TEMP_ROOT = tmp_path / "uploads"


def start(client, exhibit, name="disk.bin", size=len(CONTENT)):
    return client.post(reverse("upload_start", args=[exhibit.pk]), {"name": name, "size": size})


def send(client, upload_id, offset, data):
    return client.post(
        f"{reverse('upload_chunk', args=[upload_id])}?offset={offset}", data, content_type="application/octet-stream"
    )


def send_all(client, upload_id, content, chunk=64 * 1024):
    for offset in range(0, len(content), chunk):
        assert send(client, upload_id, offset, content[offset : offset + chunk]).status_code == 200


def test_a_file_sent_in_chunks_is_hashed_here_stored_and_ingested(
    client, owner, exhibit, settings, django_capture_on_commit_callbacks
):
    client.force_login(owner)
    response = start(client, exhibit)
    assert response.status_code == 201 and response.json()["chunk_bytes"] == 64 * 1024
    upload_id = response.json()["id"]
    send_all(client, upload_id, CONTENT)
    assert client.get(reverse("upload_status", args=[upload_id])).json()["offset"] == len(CONTENT)
    with django_capture_on_commit_callbacks(execute=True):
        finish = client.post(reverse("upload_finish", args=[exhibit.pk]), {"upload": [upload_id]})
    assert finish.status_code == 201 and finish.json()["redirect"] == exhibit.get_absolute_url()
    upload = ChunkedUpload.objects.get()
    assert bytes(upload.sha256) == hashlib.sha256(CONTENT).digest() and upload.status == "stored"
    assert not upload.temporary_path.exists()  # in the store, once the job is committed
    stored = settings.EVIDENCE_ROOT / hashlib.sha256(CONTENT).hexdigest()[:2] / hashlib.sha256(CONTENT).hexdigest()
    assert stored.read_bytes() == CONTENT
    job = run_inline(IngestJob.objects.get())
    assert EvidenceFile.objects.get(path="disk.bin").sha256_hex == hashlib.sha256(CONTENT).hexdigest()
    assert job.status == "done" and upload.job_id == job.pk
    detail = AuditEvent.objects.get(action="ingest.create").detail
    assert detail["chunked"] is True and detail["uploads"][0]["sha256"] == hashlib.sha256(CONTENT).hexdigest()
    assert AuditEvent.objects.filter(action="upload.start").count() == 1


def test_a_chunk_out_of_order_is_refused_with_the_offset_to_go_on_from(client, owner, exhibit):
    client.force_login(owner)
    upload_id = start(client, exhibit).json()["id"]
    assert send(client, upload_id, 0, CONTENT[:65536]).json()["offset"] == 65536
    skipped = send(client, upload_id, 131072, CONTENT[131072:196608])
    assert skipped.status_code == 409 and skipped.json()["offset"] == 65536
    again = send(client, upload_id, 0, CONTENT[:65536])  # a chunk sent twice (its answer was lost)
    assert again.status_code == 409 and again.json()["offset"] == 65536
    assert send(client, upload_id, 65536, CONTENT[65536:131072]).status_code == 200  # control: the right offset
    assert ChunkedUpload.objects.get().received == 131072


def test_an_upload_resumes_after_a_dropped_connection_and_ends_with_the_same_hash(client, owner, exhibit):
    client.force_login(owner)
    upload_id = start(client, exhibit).json()["id"]
    send_all(client, upload_id, CONTENT[:131072])
    upload = ChunkedUpload.objects.get()
    with upload.temporary_path.open("ab") as part:
        part.write(CONTENT[131072:140000])  # a chunk cut by the dropped connection, never acknowledged
    # The browser comes back, asks where to go on, and sends the rest from there.
    offset = client.get(reverse("upload_status", args=[upload_id])).json()["offset"]
    assert offset == 131072
    for position in range(offset, len(CONTENT), 65536):
        assert send(client, upload_id, position, CONTENT[position : position + 65536]).status_code == 200
    assert client.post(reverse("upload_finish", args=[exhibit.pk]), {"upload": [upload_id]}).status_code == 201
    assert bytes(ChunkedUpload.objects.get().sha256) == hashlib.sha256(CONTENT).digest()


def test_an_incomplete_upload_cannot_be_finished(client, owner, exhibit):
    client.force_login(owner)
    upload_id = start(client, exhibit).json()["id"]
    send(client, upload_id, 0, CONTENT[:65536])
    refused = client.post(reverse("upload_finish", args=[exhibit.pk]), {"upload": [upload_id]})
    assert refused.status_code == 409 and "incomplete" in refused.json()["detail"]
    assert not IngestJob.objects.exists()


def test_limits_per_chunk_per_file_and_per_user_are_refused_and_audited(client, owner, exhibit, settings):
    settings.UPLOAD_FILE_MAX_BYTES = 300_000
    settings.UPLOAD_TOTAL_MAX_BYTES = 400_000
    client.force_login(owner)
    too_big = start(client, exhibit, size=300_001)
    assert too_big.status_code == 413 and "largest upload" in too_big.json()["detail"]
    first = start(client, exhibit, size=300_000)
    assert first.status_code == 201  # control: at the limit
    over_total = start(client, exhibit, size=200_000)
    assert over_total.status_code == 413 and "unfinished uploads" in over_total.json()["detail"]
    assert AuditEvent.objects.filter(action="upload.refused").count() == 2
    upload_id = first.json()["id"]
    oversized = send(client, upload_id, 0, CONTENT[:65537])
    assert oversized.status_code == 400 and oversized.json()["offset"] == 0
    past_end = start(client, exhibit, name="small.bin", size=10)
    assert past_end.status_code == 201
    assert send(client, past_end.json()["id"], 0, b"x" * 11).status_code == 400
    assert send(client, past_end.json()["id"], 0, b"x" * 10).status_code == 200  # control


def test_someone_elses_upload_is_not_found_and_prosecutors_may_not_upload(
    client, owner, colleague, prosecutor, outsider, exhibit
):
    client.force_login(owner)
    upload_id = start(client, exhibit).json()["id"]
    for person in (colleague, outsider):
        client.force_login(person)
        assert client.get(reverse("upload_status", args=[upload_id])).status_code == 404
        assert send(client, upload_id, 0, CONTENT[:100]).status_code == 404
    client.force_login(prosecutor)
    assert start(client, exhibit).status_code == 403
    client.force_login(owner)
    assert send(client, upload_id, 0, CONTENT[:100]).status_code == 200  # control


def test_an_uploaded_zip_in_chunks_is_walked_like_any_upload(client, owner, exhibit):
    archive = zip_bytes({"a.txt": b"a", "b.txt": b"b" * 100_000})
    client.force_login(owner)
    upload_id = start(client, exhibit, name="seized.zip", size=len(archive)).json()["id"]
    send_all(client, upload_id, archive)
    client.post(reverse("upload_finish", args=[exhibit.pk]), {"upload": [upload_id]})
    run_inline(IngestJob.objects.get())
    member = EvidenceFile.objects.get(path="seized.zip/b.txt")
    assert member.sha256_hex == hashlib.sha256(b"b" * 100_000).hexdigest()


def test_idle_unfinished_uploads_are_abandoned_and_their_chunks_deleted(client, owner, exhibit):
    from django.core.management import call_command
    from django.utils import timezone

    client.force_login(owner)
    idle_id = start(client, exhibit).json()["id"]
    send(client, idle_id, 0, CONTENT[:65536])
    recent_id = start(client, exhibit, name="recent.bin").json()["id"]
    ChunkedUpload.objects.filter(pk=idle_id).update(updated_at=timezone.now() - timezone.timedelta(hours=100))
    call_command("uploads_cleanup", "--idle-hours", "72")
    idle, recent = ChunkedUpload.objects.get(pk=idle_id), ChunkedUpload.objects.get(pk=recent_id)
    assert idle.status == "abandoned" and not idle.temporary_path.exists()
    assert recent.status == "open" and recent.temporary_path.exists()  # control
    assert AuditEvent.objects.get(action="upload.abandon").detail["received"] == 65536
    assert send(client, idle_id, 65536, CONTENT[65536:131072]).status_code == 409
