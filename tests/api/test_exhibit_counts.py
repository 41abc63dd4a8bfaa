"""An exhibit's counts through the API: every figure its schema promises, on either database."""

from django.urls import reverse

from evidence.models import EvidenceFile, IngestBatch, IngestJob


def test_an_exhibit_counts_its_new_images_and_videos_together(token_client, owner, exhibit):
    job = IngestJob.objects.create(exhibit=exhibit, source_label="t", created_by=owner, status="done")
    batch = IngestBatch.objects.create(job=job, number=1, status="done")
    triages = ["new_image", "new_image", "new_video", "known", "other"]
    EvidenceFile.objects.bulk_create(
        EvidenceFile(exhibit=exhibit, job=job, batch=batch, path=f"card/{i}", source_path="x", triage=t)
        for i, t in enumerate(triages)
    )
    body = token_client(owner).get(reverse("api:exhibit_detail", args=[exhibit.pk])).json()
    assert (body["files_count"], body["new_count"], body["known_count"]) == (5, 3, 1)
    listed = token_client(owner).get(reverse("api:dossier_exhibits", args=[exhibit.dossier_id])).json()
    rows = listed["results"] if isinstance(listed, dict) else listed
    assert rows[0]["new_count"] == 3
