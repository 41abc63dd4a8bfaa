"""The evidence store's disk full (ENOSPC) during an upload and during an ingest batch: a clear error,
nothing half written left looking complete, and the same work completes once space is freed.

The full disk is a small tmpfs the test mounts (tests/faults.py ``small_disk``): never a real one.
"""

import hashlib
import os

import pytest
from django.urls import reverse

from audit.models import AuditEvent
from config.messages import english
from evidence.models import ChunkedUpload, EvidenceFile, IngestBatch, IngestJob
from tests.evidence.test_ingest import upload
from tests.factories import image_files, sha256_hex, wait_until
from tests.faults import fill, leftovers, process_environment, stop, worker_process

CONTENT = os.urandom(600_000)
DIGEST = hashlib.sha256(CONTENT).hexdigest()


def post_files(client, exhibit):
    return client.post(reverse("exhibit_ingest", args=[exhibit.pk]), {"files": [upload("card.bin", CONTENT)]})


@pytest.mark.django_db
def test_an_upload_to_a_full_store_is_refused_clearly_keeps_nothing_then_succeeds_once_space_is_freed(
    client, owner, exhibit, settings, small_disk
):
    settings.EVIDENCE_ROOT = small_disk("1m")
    filler = fill(settings.EVIDENCE_ROOT, leave=200_000)  # room for a third of the file
    client.force_login(owner)
    refused = post_files(client, exhibit)
    assert refused.status_code == 507  # not a 500
    assert "The evidence store is full" in refused.content.decode()
    assert not IngestJob.objects.exists()
    assert leftovers(settings.EVIDENCE_ROOT) == []  # no partial copy, under any name
    full = AuditEvent.objects.get(action="store.full")
    assert full.detail["where"] == "upload" and "evidence store full" in full.detail["error"]

    filler.unlink()  # control: the same upload once space is freed
    accepted = post_files(client, exhibit)
    assert accepted.status_code == 302
    assert IngestJob.objects.count() == 1
    assert (settings.EVIDENCE_ROOT / DIGEST[:2] / DIGEST).read_bytes() == CONTENT


def start(client, exhibit):
    response = client.post(reverse("upload_start", args=[exhibit.pk]), {"name": "disk.bin", "size": len(CONTENT)})
    assert response.status_code == 201
    return response.json()["id"]


def send(client, upload_id, offset, data):
    url = f"{reverse('upload_chunk', args=[upload_id])}?offset={offset}"
    return client.post(url, data, content_type="application/octet-stream")


def finish(client, exhibit, upload_id):
    return client.post(reverse("upload_finish", args=[exhibit.pk]), {"upload": [upload_id]})


@pytest.mark.django_db
def test_a_chunk_to_a_full_upload_folder_is_refused_with_the_offset_and_sent_again_later(
    client, owner, exhibit, settings, small_disk
):
    settings.UPLOAD_CHUNK_BYTES = len(CONTENT)
    settings.UPLOAD_TEMP_ROOT = small_disk("1m")
    filler = fill(settings.UPLOAD_TEMP_ROOT, leave=200_000)
    client.force_login(owner)
    upload_id = start(client, exhibit)
    refused = send(client, upload_id, 0, CONTENT)
    assert refused.status_code == 507 and refused.json()["offset"] == 0
    assert "The evidence store is full" in refused.json()["detail"]
    part = ChunkedUpload.objects.get().temporary_path
    assert part.stat().st_size == 0  # cut back to what was received: nothing half written kept
    assert AuditEvent.objects.get(action="store.full").detail["received"] == 0

    filler.unlink()  # control: the same chunk once space is freed
    assert send(client, upload_id, 0, CONTENT).json()["offset"] == len(CONTENT)
    assert part.read_bytes() == CONTENT


@pytest.mark.django_db
def test_finishing_an_upload_into_a_full_store_keeps_the_upload_whole_to_finish_again(
    client, owner, exhibit, settings, small_disk, tmp_path, django_capture_on_commit_callbacks
):
    settings.UPLOAD_TEMP_ROOT = tmp_path / "uploads"  # another file system than the store: a copy
    settings.UPLOAD_CHUNK_BYTES = len(CONTENT)
    settings.EVIDENCE_ROOT = small_disk("1m")
    filler = fill(settings.EVIDENCE_ROOT, leave=200_000)
    client.force_login(owner)
    upload_id = start(client, exhibit)
    assert send(client, upload_id, 0, CONTENT).status_code == 200
    refused = finish(client, exhibit, upload_id)
    assert refused.status_code == 507 and "The evidence store is full" in refused.json()["detail"]
    chunked = ChunkedUpload.objects.get()
    assert chunked.status == "open" and chunked.temporary_path.read_bytes() == CONTENT  # whole, resumable
    assert not IngestJob.objects.exists() and leftovers(settings.EVIDENCE_ROOT) == []

    filler.unlink()  # control: finished again once space is freed
    with django_capture_on_commit_callbacks(execute=False):
        assert finish(client, exhibit, upload_id).status_code == 201
    chunked.refresh_from_db()
    assert chunked.status == "stored" and bytes(chunked.sha256).hex() == DIGEST
    assert (settings.EVIDENCE_ROOT / DIGEST[:2] / DIGEST).read_bytes() == CONTENT


@pytest.mark.django_db(transaction=True)
@pytest.mark.postgresql(reason="runs a worker process against the test database")
def test_a_batch_finding_the_store_full_waits_says_so_and_completes_once_space_is_freed(
    exhibit, owner, settings, small_disk, tmp_path
):
    from evidence.ingest.jobs import ingest_job_create_from_path

    images = image_files(tmp_path / "card", range(6))
    derived = small_disk("1m")
    filler = fill(derived, leave=2_000)  # less than a thumbnail: the first one is cut short
    environment = process_environment(
        tmp_path,
        settings.CELERY_BROKER_URL,
        DERIVED_ROOT=str(derived),
        INGEST_BATCH_FILES="3",
        STORE_FULL_RETRY_SECONDS="1",
    )
    from config.celery import app as celery_app

    with celery_app.connection_for_write() as broker:
        for queue in ("ingest", "media"):
            broker.default_channel.queue_purge(queue)
    worker = worker_process(environment, "ingest,media")
    try:
        job = ingest_job_create_from_path(exhibit=exhibit, path=tmp_path / "card", by=owner)
        waiting = wait_until(
            lambda: AuditEvent.objects.filter(action="ingest.store_full").count() >= 2, timeout=120, interval=0.1
        )
        assert waiting
        job.refresh_from_db()
        assert job.status == "running" and english(job.error).startswith("Evidence store full: ")
        assert not EvidenceFile.objects.filter(job=job).exclude(thumbnail="").exists()  # nothing kept
        assert leftovers(derived) == []  # no thumbnail cut short, under any name
        filler.unlink()
        wait_until(lambda: IngestJob.objects.get(pk=job.pk).is_finished, timeout=120)
    finally:
        stop(worker)
    job.refresh_from_db()
    assert job.status == "done"
    files = list(EvidenceFile.objects.filter(job=job))
    assert {f.path: f.sha256_hex for f in files} == {f"card/{n}": sha256_hex(c) for n, c in images.items()}
    assert all(f.thumbnail and (derived / f.thumbnail).stat().st_size > 0 and not f.error for f in files)
    assert job.error[-1]["params"]["waits"] >= 2  # how many attempts waited
    assert max(IngestBatch.objects.filter(job=job).values_list("attempts", flat=True)) >= 2
