"""Celery beat sends the periodic audit chain check; its result is logged and exported as a metric."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from audit.models import AuditEvent
from audit.services import audit_record
from tests.factories import wait_until

pytestmark = pytest.mark.django_db(transaction=True)
ROOT = Path(__file__).resolve().parents[2]


def beat_process(tmp_path, every: int):
    """A real `celery beat` on the test broker, as scelle-beat.service runs it."""
    environment = {**os.environ, "CELERY_BROKER_URL": settings.CELERY_BROKER_URL, "AUDIT_VERIFY_SECONDS": str(every)}
    command = [sys.executable, "-m", "celery", "-A", "config", "beat", "--loglevel", "WARNING"]
    command += ["--schedule", str(tmp_path / "schedule"), "--pidfile", ""]
    return subprocess.Popen(command, cwd=ROOT, env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def checks():
    return list(AuditEvent.objects.filter(action="audit.verify").order_by("id"))


def metrics(client) -> str:
    return client.get(reverse("metrics"), REMOTE_ADDR="127.0.0.1").content.decode()


@pytest.mark.postgresql(reason="tampers with the PostgreSQL audit table")
def test_beat_checks_the_audit_chain_and_a_broken_chain_shows_in_the_log_and_metrics(
    client, owner, tmp_path, celery_worker, audit_tamper
):
    events = [audit_record(actor=owner, action="test.beat", number=n) for n in range(3)]
    assert "scelle_audit_chain_verified" not in metrics(client)  # no check yet, no sample
    beat = beat_process(tmp_path, every=1)
    try:
        first = wait_until(lambda: checks(), timeout=60)[0]  # sent by beat, run by the `default` worker
        assert first.detail["verified"] is True and first.detail["head"] == events[-1].row_hash_hex
        assert "scelle_audit_chain_verified 1.0" in metrics(client)
        audit_tamper("UPDATE audit_auditevent SET actor_name = 'someone else' WHERE id = %s", [events[1].pk])
        broken = wait_until(lambda: [c for c in checks() if not c.detail["verified"]], timeout=60)[0]
    finally:
        beat.terminate()
        beat.wait(timeout=30)
    assert broken.detail["problems"] >= 1 and f"event {events[1].pk}" in broken.detail["first_problems"][0]
    assert "scelle_audit_chain_verified 0.0" in metrics(client)
