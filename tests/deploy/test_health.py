"""The health endpoint tells monitoring when a worker, the broker or the storage is gone."""

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

pytestmark = pytest.mark.django_db(transaction=True)


def health(client) -> tuple[int, dict]:
    # The view is async: asked from another thread, since Playwright's browser tests may have left
    # an event loop running in this one.
    with ThreadPoolExecutor(1) as pool:
        response = pool.submit(client.get, reverse("health"), headers={"Accept": "application/json"}).result()
    # Keys are the checks' reprs, e.g. "Database(alias='default')".
    return response.status_code, {name.split("(")[0]: state for name, state in response.json().items()}


def test_healthy_with_a_worker_on_every_queue(client, celery_worker):
    status, checks = health(client)
    assert status == 200, checks
    assert set(checks) == {"Database", "Broker", "EvidenceStorage", "Workers"}


def test_a_stopped_worker_is_reported(client):
    status, checks = health(client)
    assert status == 500
    assert "unavailable" in checks["Workers"].lower() or "no worker" in checks["Workers"].lower()
    assert checks["Database"] == "OK" and checks["Broker"] == "OK"  # control: only the worker is missing


def test_unwritable_storage_is_reported(client, celery_worker, settings, tmp_path):
    blocked = tmp_path / "file-not-folder"
    blocked.write_text("x")
    settings.DERIVED_ROOT = blocked
    status, checks = health(client)
    assert status == 500 and checks["EvidenceStorage"] != "OK" and checks["Workers"] == "OK"


def test_on_the_file_system_broker_the_workers_answer_and_their_bindings_stay_under_var(client, celery_worker):
    """`make run`'s broker: the ping reaches the worker within the check's two seconds, and the table
    of who listens to broadcasts is kept under var/broker/, not in whatever folder a process started in
    (a web server and a worker started from two folders did not hear each other)."""
    if not settings.CELERY_BROKER_URL.startswith("filesystem://"):
        pytest.skip("the embedded default's broker (make test-embedded)")
    status, checks = health(client)
    assert status == 200 and checks["Workers"] == "OK", checks
    assert (Path(settings.VAR_DIR) / "broker" / "control" / "celery.pidbox.exchange").exists()
