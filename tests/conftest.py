import time

import pytest
from celery.contrib.testing.worker import start_worker
from django.conf import settings
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.two_factor import SECOND_FACTOR_AT
from cases.models import Membership
from config.celery import app as celery_app
from evidence.models import EvidenceFile, IngestBatch, IngestJob
from tests.factories import make_dossier, make_exhibit, make_user


class VerifiedClient(Client):
    """force_login gives a session verified by a second factor, as after a full login."""

    def force_login(self, user, backend=None):
        super().force_login(user, backend)
        device, _ = TOTPDevice.objects.get_or_create(user=user, name="test", defaults={"confirmed": True})
        session = self.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session[SECOND_FACTOR_AT] = int(time.time())
        session.save()


@pytest.fixture
def client():
    return VerifiedClient()


@pytest.fixture(autouse=True)
def _stores_in_tmp(settings, tmp_path):
    """Every test gets its own evidence store and list store."""
    settings.EVIDENCE_ROOT = tmp_path / "evidence"
    settings.HASHLIST_ROOT = tmp_path / "hashlists"


@pytest.fixture
def owner(db):
    return make_user("owner", "investigator", first_name="Olivia")


@pytest.fixture
def colleague(db):
    return make_user("colleague", "investigator")


@pytest.fixture
def outsider(db):
    return make_user("outsider", "investigator")


@pytest.fixture
def prosecutor(db):
    return make_user("prosecutor", "prosecutor")


@pytest.fixture
def admin(db):
    return make_user("admin", "admin", is_staff=True, is_superuser=True)


@pytest.fixture
def dossier(owner, colleague, prosecutor):
    return make_dossier(owner, **{Membership.Role.INVESTIGATOR: colleague, Membership.Role.PROSECUTOR: prosecutor})


@pytest.fixture
def other_dossier(outsider):
    return make_dossier(outsider, notice_number="BR.52.L1.000002/26", title="Someone else's dossier")


@pytest.fixture
def exhibit(dossier, owner):
    return make_exhibit(dossier, by=owner)


@pytest.fixture
def evidence_file(exhibit, owner):
    job = IngestJob.objects.create(exhibit=exhibit, source_label="test", created_by=owner, status="done")
    batch = IngestBatch.objects.create(job=job, number=1, status="done")
    return EvidenceFile.objects.create(
        exhibit=exhibit,
        job=job,
        batch=batch,
        path="SC-1/photo.jpg",
        source_path="/nonexistent",
        sha256=b"\x01" * 32,
        triage="new_image",
    )


@pytest.fixture
def _celery_worker_thread(django_db_setup, django_db_blocker):
    """A real Celery worker on the real broker (Redis in `make test`), in a thread of this process.

    One per test that asks for it, so that no worker is left listening during tests that start
    worker processes of their own.
    """
    queues = settings.CELERY_QUEUES_ALL.split(",")
    with celery_app.connection_for_write() as connection:
        for queue in queues:
            connection.default_channel.queue_purge(queue)
    with start_worker(
        celery_app, pool="solo", perform_ping_check=False, loglevel="WARNING", shutdown_timeout=30, queues=queues
    ):
        yield


@pytest.fixture
def celery_worker(transactional_db, _celery_worker_thread):
    """Use in tests whose behaviour depends on the worker; their data is committed for it to see."""
    return _celery_worker_thread
