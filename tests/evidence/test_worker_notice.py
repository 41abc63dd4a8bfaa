"""The job page and `ingest --wait` say when no live worker takes the job's queues (`ingest`, `media`).

Real workers only: a thread worker on every queue (conftest), or a worker process on the queues
named, as on another host. The job of the page tests is queued without its message, so that a worker
cannot end it while the page is asked.
"""

import io
import time

import pytest
from django.conf import settings
from django.core.cache import cache
from django.core.management import CommandError, call_command
from django.urls import reverse

from config.celery import app as celery_app
from config.workers import CACHE_KEY, queues_consumed
from evidence.ingest.jobs import ingest_job_create_from_path
from evidence.models import IngestJob
from tests.evidence.test_worker_faults import worker_process
from tests.factories import image_files, wait_until

pytestmark = pytest.mark.django_db(transaction=True)
# The embedded default's file-system broker is never asked (the last tests below); these ask real workers.
needs_redis = pytest.mark.skipif(
    not settings.CELERY_BROKER_URL.startswith("redis"), reason="asks the workers through a Redis broker"
)
needs_postgresql = pytest.mark.postgresql(reason="runs a worker process against the test database")


@pytest.fixture(autouse=True)
def _fresh_answer():
    """Each test asks the workers afresh, and leaves no message a later worker would take."""
    cache.delete(CACHE_KEY)
    yield
    cache.delete(CACHE_KEY)
    with celery_app.connection_for_write(settings.CELERY_BROKER_URL) as broker:  # whatever a test set
        for queue in settings.CELERY_QUEUES_ALL.split(","):
            broker.default_channel.queue_purge(queue)


@pytest.fixture
def waiting_job(exhibit, owner, tmp_path) -> IngestJob:
    image_files(tmp_path / "card", range(1, 3))
    return ingest_job_create_from_path(exhibit=exhibit, path=tmp_path / "card", by=owner, queue=False)


def job_page(client, job) -> str:
    response = client.get(reverse("job_progress", args=[job.pk]))
    assert response.status_code == 200
    return response.content.decode()


def workers_up(*queues: str) -> frozenset:
    return wait_until(lambda: (found := queues_consumed()) and set(queues) <= found and found, timeout=60)


@needs_redis
def test_with_no_worker_the_job_page_says_no_live_worker_takes_its_queues(client, owner, waiting_job):
    client.force_login(owner)
    page = job_page(client, waiting_job)
    assert 'data-workers="missing"' in page
    assert "No live worker takes the ingest, media queues: this job waits until one is started." in page
    exhibit_page = client.get(waiting_job.exhibit.get_absolute_url()).content.decode()
    assert "No live worker takes the ingest, media queues" in exhibit_page
    # Once the job has ended there is nothing to wait for.
    IngestJob.objects.filter(pk=waiting_job.pk).update(status=IngestJob.Status.CANCELLED)
    assert "data-workers" not in job_page(client, waiting_job)


@needs_redis
def test_with_a_worker_on_every_queue_the_job_page_shows_no_notice(client, owner, waiting_job, celery_worker):
    client.force_login(owner)
    page = job_page(client, waiting_job)
    assert "data-workers" not in page
    assert IngestJob.objects.get(pk=waiting_job.pk).status == IngestJob.Status.QUEUED  # still waiting
    assert {"ingest", "media"} <= cache.get(CACHE_KEY)  # the workers were asked, and answered


@needs_redis
@needs_postgresql
def test_a_worker_on_the_ingest_queue_alone_leaves_the_media_queue_named(client, owner, waiting_job, tmp_path):
    worker = worker_process(tmp_path, queues="ingest", name="ingestonly")
    try:
        workers_up("ingest")
        cache.delete(CACHE_KEY)
        client.force_login(owner)
        page = job_page(client, waiting_job)
    finally:
        worker.terminate()
        worker.wait(timeout=30)
    assert "No live worker takes the media queue: this job waits until one is started." in page
    assert "ingest" not in page.split('data-workers="missing"')[1].split("</p>")[0]


def test_on_the_embedded_file_system_broker_the_page_says_unknown_never_a_false_alarm(
    client, owner, waiting_job, tmp_path, monkeypatch
):
    """kombu's file-system transport cannot be asked in time; `make run` uses it."""
    # Celery reads CELERY_BROKER_URL from the environment before its settings.
    monkeypatch.setenv("CELERY_BROKER_URL", "filesystem://localhost//")
    folder = tmp_path / "broker"
    folder.mkdir()
    monkeypatch.setitem(
        celery_app.conf, "broker_transport_options", {"data_folder_in": str(folder), "data_folder_out": str(folder)}
    )
    client.force_login(owner)
    page = job_page(client, waiting_job)
    assert 'data-workers="unknown"' in page and "Workers: unknown" in page
    assert "No live worker" not in page


def test_a_broker_that_does_not_answer_makes_the_page_say_unknown_within_seconds(
    client, owner, waiting_job, monkeypatch
):
    monkeypatch.setenv("CELERY_BROKER_URL", "redis://127.0.0.1:1/0")
    client.force_login(owner)
    started = time.monotonic()
    page = job_page(client, waiting_job)
    assert time.monotonic() - started < 10
    assert 'data-workers="unknown"' in page and "No live worker" not in page
    # The answer is kept a few seconds: asked again at once (the test's own broker now), no new question.
    monkeypatch.undo()
    assert 'data-workers="unknown"' in job_page(client, waiting_job)


def ingest_wait(source, *extra) -> tuple[str, str, CommandError | None]:
    out, err = io.StringIO(), io.StringIO()
    arguments = ["ingest", str(source), "--dossier", "BR.52.L1.000888/26", "--exhibit", "USB-9", "--wait", *extra]
    try:
        call_command(*arguments, stdout=out, stderr=err)
    except CommandError as error:
        return out.getvalue(), err.getvalue(), error
    return out.getvalue(), err.getvalue(), None


@needs_redis
def test_ingest_wait_warns_when_no_worker_takes_the_queues_then_gives_up_at_its_timeout(tmp_path):
    image_files(tmp_path / "card", range(1, 3))
    out, err, error = ingest_wait(tmp_path / "card", "--timeout", "3")
    assert "Warning: no live worker takes the queue(s) ingest, media: this job waits until one is started" in err
    assert "Queued: 0/0 files" in out  # what it printed before, and alone
    assert error is not None and "not finished after 3 s" in str(error)


@needs_redis
@needs_postgresql
def test_ingest_wait_with_a_worker_on_every_queue_warns_of_nothing(tmp_path):
    image_files(tmp_path / "card", range(1, 11))
    worker = worker_process(tmp_path, queues=None, name="bare")
    try:
        workers_up("ingest", "media")
        cache.delete(CACHE_KEY)
        out, err, error = ingest_wait(tmp_path / "card", "--timeout", "120")
    finally:
        worker.terminate()
        worker.wait(timeout=30)
    assert error is None, (out, err)
    assert "Done: 10/10 files" in out
    assert "Warning" not in err and "no live worker" not in out + err
