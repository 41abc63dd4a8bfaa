"""Monitoring: Prometheus metrics for the monitoring host only, an operations page for admins."""

import pytest
from django.urls import reverse

from evidence.models import IngestJob

pytestmark = pytest.mark.django_db(transaction=True)


def test_metrics_count_jobs_and_files_and_are_served_to_the_monitoring_host_only(client, evidence_file):
    assert client.get(reverse("metrics"), REMOTE_ADDR="203.0.113.9").status_code == 403
    response = client.get(reverse("metrics"), REMOTE_ADDR="127.0.0.1")
    assert response.status_code == 200
    text = response.content.decode()
    assert 'scelle_ingest_jobs{status="done"} 1.0' in text
    assert 'scelle_files{triage="new_image"} 1.0' in text
    assert "scelle_files_processed_total 1.0" in text  # rate() of it: files per second
    assert "scelle_queue_depth" in text and "django_http_requests" in text


def test_the_operations_page_shows_workers_queues_and_running_jobs(client, admin, owner, exhibit, celery_worker):
    IngestJob.objects.create(exhibit=exhibit, source_label="card", created_by=owner, status="running")
    client.force_login(owner)
    assert client.get(reverse("operations")).status_code == 403
    client.force_login(admin)
    page = client.get(reverse("operations")).content.decode()
    assert 'data-queue="ingest"' in page
    assert "No worker answers" not in page  # the test's worker is listed with its queues
    assert "default, ingest, lists, media" in page
    assert exhibit.seal_number in page
