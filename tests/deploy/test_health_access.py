"""The health checks (broker, a file written, a worker waited for) run for admins and the monitoring
host only; anyone else gets a cheap liveness answer that makes the server do nothing."""

from concurrent.futures import ThreadPoolExecutor

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db(transaction=True)

OUTSIDE = "203.0.113.9"
CHECKS = {"Database", "Broker", "EvidenceStorage", "Workers"}


def health(client, **extra) -> tuple[int, dict]:
    # The view is async: asked from another thread (see test_health.py).
    with ThreadPoolExecutor(1) as pool:
        response = pool.submit(client.get, reverse("health"), headers={"Accept": "application/json"}, **extra).result()
    return response.status_code, {name.split("(")[0]: state for name, state in response.json().items()}


@pytest.fixture
def unwritable_storage(settings, tmp_path):
    """Storage the checks would find broken: a check that ran could not answer 200."""
    blocked = tmp_path / "file-not-folder"
    blocked.write_text("x")
    settings.DERIVED_ROOT = blocked


def test_an_anonymous_caller_gets_liveness_only_and_no_check_runs(client, unwritable_storage):
    status, answer = health(client, REMOTE_ADDR=OUTSIDE)
    assert (status, answer) == (200, {"status": "alive"})


def test_an_admin_gets_the_details(client, admin, unwritable_storage):
    client.force_login(admin)
    status, checks = health(client, REMOTE_ADDR=OUTSIDE)
    assert status == 500 and set(checks) == CHECKS  # no worker runs here, and the storage is blocked
    assert checks["EvidenceStorage"] != "OK"


def test_other_users_get_liveness_only(client, owner, prosecutor, unwritable_storage):
    for person in (owner, prosecutor):
        client.force_login(person)
        assert health(client, REMOTE_ADDR=OUTSIDE) == (200, {"status": "alive"})


def test_the_monitoring_address_gets_the_details_only_when_it_asks_directly(client, unwritable_storage, settings):
    settings.METRICS_ALLOWED_IPS = ["127.0.0.1", "192.0.2.10"]
    status, checks = health(client, REMOTE_ADDR="192.0.2.10")
    assert status == 500 and set(checks) == CHECKS
    # Behind nginx every request comes from 127.0.0.1, a monitoring address: a forwarded one is not.
    assert health(client, REMOTE_ADDR="127.0.0.1", HTTP_X_REAL_IP=OUTSIDE) == (200, {"status": "alive"})
    assert health(client, REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR=OUTSIDE) == (200, {"status": "alive"})
