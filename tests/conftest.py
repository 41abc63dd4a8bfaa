import time

import pytest
from celery.contrib.testing.worker import start_worker
from django.conf import settings
from django.db import connection
from django.db.backends.postgresql.operations import DatabaseOperations
from django.test import Client, override_settings
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.two_factor import SECOND_FACTOR_AT
from audit.roles import connected_as_owner, connected_as_runtime, owner_configured, owner_connection
from cases.models import Membership
from config.celery import app as celery_app
from detectors.observe import forget_classifiers
from evidence.faces import forget_face_matrices
from evidence.models import EvidenceFile, IngestBatch, IngestJob
from tests.factories import make_dossier, make_exhibit, make_user

# Servers of a fault test's own (tests/faults.py), offered to every test file.
from tests.faults import own_postgresql, own_redis, small_disk  # noqa: F401


def pytest_collection_modifyitems(config, items):
    """Tests marked ``postgresql`` need what the embedded default (SQLite) does not have: triggers,
    database roles, row locks, pg_dump, worker processes sharing the test database. `make
    test-embedded` runs the rest of the suite there; these are skipped, each with the reason given."""
    if connection.vendor == "postgresql":
        return
    for item in items:
        for marker in item.iter_markers("postgresql"):
            reason = marker.kwargs.get("reason") or (marker.args[0] if marker.args else "needs PostgreSQL")
            item.add_marker(pytest.mark.skip(reason=f"PostgreSQL only: {reason}"))
            break


class VerifiedClient(Client):
    """force_login gives a session verified by a second factor, as after a full login."""

    def force_login(self, user, backend=None):
        super().force_login(user, backend)
        device, _ = TOTPDevice.objects.get_or_create(user=user, name="test", defaults={"confirmed": True})
        session = self.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session[SECOND_FACTOR_AT] = int(time.time())
        session.save()


# The database roles of production (audit/roles.py) in `make test`: with DATABASE_OWNER_URL set, the
# owner role creates, migrates (granting the runtime role its rights) and drops the test database;
# every test runs as DATABASE_URL's role, which may only read and append to the audit log.


@pytest.fixture(scope="session", autouse=True)
def _quick_password_hashing():
    """Test users' passwords hashed with 1,000 PBKDF2 iterations, not 1,000,000 (tests/passwords.py)."""
    with override_settings(PASSWORD_HASHERS=["tests.passwords.QuickPBKDF2PasswordHasher"]):
        yield


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix):
    """Runs before pytest-django creates the test database (and after it drops it): as the owner."""
    with connected_as_owner():
        yield


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup):
    """The tests themselves run as the runtime role; flushes between transactional tests as the owner."""
    with connected_as_runtime(), pytest.MonkeyPatch.context() as patch:
        if owner_configured():
            patch.setattr(DatabaseOperations, "execute_sql_flush", _execute_sql_flush_as_owner)
        yield


def _execute_sql_flush_as_owner(operations, sql_list):
    """Django's flush after a transactional test TRUNCATEs every table: a right the runtime role
    does not have on the audit log, nor should have. The harness alone borrows the owner's."""
    with owner_connection(operations.connection.alias) as owner:
        owner.set_autocommit(False)
        with owner.cursor() as cursor:
            for sql in sql_list:
                cursor.execute(sql)
        owner.commit()


@pytest.fixture
def database_owner(transactional_db):
    """A second connection, as the role that owns the tables (an insider holding the owner's account,
    a restore); the test's data is committed so that it sees it. The same role without an owner set."""
    with owner_connection() as owner:
        yield owner


@pytest.fixture
def audit_tamper(database_owner):
    """What the holder of the tables' owner account (or a superuser) can do to the audit log: switch
    its trigger off, run ``sql`` on it, switch the trigger on. The key of the chain it does not hold."""

    def run(sql: str, params=()) -> None:
        with database_owner.cursor() as cursor:
            cursor.execute("ALTER TABLE audit_auditevent DISABLE TRIGGER audit_append_only")
            cursor.execute(sql, params)
            cursor.execute("ALTER TABLE audit_auditevent ENABLE TRIGGER audit_append_only")

    return run


@pytest.fixture
def client():
    return VerifiedClient()


@pytest.fixture(autouse=True)
def _detectors_off(request, settings):
    """The detectors cost about 0.1 s an image on one core: off, unless a test asks for them with
    the ``detectors_on`` fixture (as a unit turns them off with DETECTORS="")."""
    if "detectors_on" not in request.fixturenames and "faces_on" not in request.fixturenames:
        settings.DETECTORS = []
    forget_classifiers()  # a classifier an earlier test registered is gone with its database rows
    forget_face_matrices()  # and so are the faces a search read


@pytest.fixture
def detectors_on(settings):
    settings.DETECTORS = ["nudenet"]


@pytest.fixture
def faces_on(settings):
    """NudeNet and the face model (about 0.1 s more a face): for the faces tests only."""
    settings.DETECTORS = ["nudenet", "faces"]


@pytest.fixture(autouse=True)
def _ocr_off(request, settings):
    """OCR costs Tesseract about a second a picture and adds a batch to every job holding one: off,
    unless a test asks for it with the ``ocr_on`` fixture (as a unit turns it off with OCR_ENABLED)."""
    if "ocr_on" not in request.fixturenames:
        settings.OCR_ENABLED = False


@pytest.fixture
def ocr_on(settings):
    settings.OCR_ENABLED = True


@pytest.fixture(autouse=True)
def _stores_in_tmp(settings, tmp_path):
    """Every test gets its own evidence store, list store and derived store (thumbnails and the
    descriptions kept of known pictures are named after their content: one test's would be another's)."""
    settings.EVIDENCE_ROOT = tmp_path / "evidence"
    settings.HASHLIST_ROOT = tmp_path / "hashlists"
    settings.DERIVED_ROOT = tmp_path / "derived"


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
