"""The whole ingestion path with a real Celery worker on the real broker and database."""

import io

import pytest
from django.urls import reverse

from audit.models import AuditEvent
from evidence.models import EvidenceFile, IngestJob
from evidence.synthetic import synthetic_image_bytes
from tests.factories import make_hash_list, sha256_hex, wait_until, zip_bytes

pytestmark = pytest.mark.django_db(transaction=True)


def upload(name, content):
    stream = io.BytesIO(content)
    stream.name = name
    return stream


STATES = ("known", "new_image", "new_video", "other", "error")


def test_upload_is_hashed_by_the_worker_and_totals_appear_on_the_pages(
    client, owner, admin, exhibit, celery_worker, settings
):
    settings.INGEST_BATCH_FILES = 3
    images = {f"p{seed}.jpg": synthetic_image_bytes(seed) for seed in range(1, 8)}
    make_hash_list("Alerts", [sha256_hex(images["p1.jpg"]), sha256_hex(images["p2.jpg"])], by=admin)
    client.force_login(owner)
    archive = zip_bytes({name: content for name, content in images.items() if name != "p7.jpg"})
    response = client.post(
        reverse("exhibit_ingest", args=[exhibit.pk]),
        {"files": [upload("card.zip", archive), upload("p7.jpg", images["p7.jpg"]), upload("empty.bin", b"")]},
    )
    assert response.status_code == 302
    job = IngestJob.objects.get(exhibit=exhibit)
    wait_until(lambda: IngestJob.objects.get(pk=job.pk).is_finished)
    job.refresh_from_db()
    # card.zip itself, its six members, p7.jpg and the empty file; one batch of files, one of media
    # (p7.jpg), one for the zip
    assert job.status == IngestJob.Status.DONE and job.files_total == 9 and job.batches.count() == 3
    counts = {state: EvidenceFile.objects.filter(triage=state).count() for state in STATES}
    assert counts == {"known": 2, "new_image": 5, "new_video": 0, "other": 1, "error": 1}  # other: the zip
    exhibit_page = client.get(exhibit.get_absolute_url()).content.decode()
    assert "card.zip/p1.jpg" in exhibit_page and sha256_hex(images["p7.jpg"]) in exhibit_page
    dossier_page = client.get(exhibit.dossier.get_absolute_url()).content.decode()
    assert 'data-state="known"' in dossier_page
    progress = client.get(reverse("job_progress", args=[job.pk])).content.decode()
    assert "9 of 9 files" in progress and "1 error" in progress
    assert AuditEvent.objects.filter(action="ingest.done", target_id=str(job.pk)).exists()
