"""A task stopped by an error no code expected: the failure is recorded with its reason, the job
ends, and the job's other files are kept, each once."""

import hashlib

import pytest
from django.core.management import call_command

from audit.models import AuditEvent
from chats import services as chat_services
from chats.models import ChatAccount, ChatExport
from config.celery import app as celery_app
from config.messages import english
from evidence.ingest import batch_readers
from evidence.ingest.archives import sevenzip
from evidence.ingest.jobs import ingest_job_create_from_path
from evidence.ingest.pipeline import ingest_batch_process, ingest_job_enumerate
from evidence.models import EvidenceFile, IngestBatch, IngestJob
from evidence.tasks import ingest_enumerate
from tests.chats.builder import chat, message, write_export
from tests.evidence.test_archives_7z import seven_zip
from tests.factories import image_files, wait_until

GOOD = {"DCIM/holiday.txt": b"a day at the sea\n" * 20, "notes.txt": b"meeting at noon\n"}
HIDDEN = {"secret.txt": b"not for the wrong password\n" * 10}


def seized_folder(tmp_path):
    """A good 7z (password "pw"), a 7z whose header is encrypted with another password, a plain file."""
    folder = tmp_path / "seized"
    folder.mkdir()
    (folder / "good.7z").write_bytes(seven_zip(GOOD, password="pw", header_encryption=True))
    (folder / "hidden.7z").write_bytes(seven_zip(HIDDEN, password="other", header_encryption=True))
    (folder / "letter.txt").write_bytes(b"dear sir\n")
    return folder


class Unforeseen(Exception):  # noqa: N818 - named for what it stands for: an error no code expects
    """What a reader may raise one day that no code expects (a library's new bug, a new format quirk)."""


@pytest.fixture
def hidden_archive_breaks_its_reader(monkeypatch):
    """The 7z reader raises an error nobody expects on hidden.7z (since the wrong-password TypeError
    that first showed the hole is now handled where it arises, a fault stands in for the next one)."""
    walk_7z = sevenzip.walk_7z

    def broken(stream, shown, *rest):
        if "hidden.7z" in shown:
            raise Unforeseen("the reader met something new")
        yield from walk_7z(stream, shown, *rest)

    monkeypatch.setattr(sevenzip, "walk_7z", broken)


def assert_the_good_files_kept_once_and_the_failure_recorded(job: IngestJob, error: str = "Unforeseen") -> None:
    job.refresh_from_db()
    assert job.status == "done"
    paths = list(EvidenceFile.objects.filter(job=job).values_list("path", flat=True))
    assert len(paths) == len(set(paths))  # nothing doubled
    files = {f.path: f for f in EvidenceFile.objects.filter(job=job)}
    for name, content in GOOD.items():  # control: the good archive, whole
        assert files[f"seized/good.7z/{name}"].sha256_hex == hashlib.sha256(content).hexdigest()
    assert files["seized/letter.txt"].sha256_hex == hashlib.sha256(b"dear sir\n").hexdigest()
    hidden = files["seized/hidden.7z"]
    assert any(f"stopped by an unexpected error: {error}" in finding for finding in map(english, hidden.findings)), (
        hidden.findings
    )
    assert "seized/hidden.7z" in english(job.error) and error in english(job.error)
    assert not job.batches.exclude(status="done").exists()


@pytest.mark.django_db(transaction=True)
def test_a_7z_whose_encrypted_header_the_password_does_not_open_is_said_so_and_the_rest_kept(
    celery_worker, exhibit, owner, tmp_path
):
    """The input that first left jobs running for ever (py7zr's TypeError) is now a finding in words."""
    job = ingest_job_create_from_path(exhibit=exhibit, path=seized_folder(tmp_path), by=owner, archive_password="pw")
    wait_until(lambda: IngestJob.objects.get(pk=job.pk).is_finished, timeout=120)
    job.refresh_from_db()
    assert job.status == "done" and not job.batches.exclude(status="done").exists()
    files = {f.path: f for f in EvidenceFile.objects.filter(job=job)}
    for name, content in GOOD.items():
        assert files[f"seized/good.7z/{name}"].sha256_hex == hashlib.sha256(content).hexdigest()
    assert any(
        "password given does not open it" in finding for finding in map(english, files["seized/hidden.7z"].findings)
    )


@pytest.mark.django_db(transaction=True)
def test_an_error_no_code_expects_ends_the_job_with_its_reason(
    celery_worker, hidden_archive_breaks_its_reader, exhibit, owner, tmp_path
):
    job = ingest_job_create_from_path(exhibit=exhibit, path=seized_folder(tmp_path), by=owner, archive_password="pw")
    wait_until(lambda: IngestJob.objects.get(pk=job.pk).is_finished, timeout=120)
    assert_the_good_files_kept_once_and_the_failure_recorded(job)


@pytest.mark.django_db(transaction=True)
def test_resume_work_ends_a_job_whose_task_died_before_this_fix(
    celery_worker, hidden_archive_breaks_its_reader, exhibit, owner, tmp_path
):
    """A job left "running" by a task that raised (as before): resumed, it ends with the reason."""
    job = ingest_job_create_from_path(
        exhibit=exhibit, path=seized_folder(tmp_path), by=owner, archive_password="pw", queue=False
    )
    queue = list(ingest_job_enumerate(job=job))
    while queue:
        batch = IngestBatch.objects.get(pk=queue.pop(0))
        try:
            queue += ingest_batch_process(batch=batch)
        except Unforeseen:  # the task dies; nothing is recorded (a worker without the handler)
            pass
    assert IngestJob.objects.get(pk=job.pk).status == "running"
    call_command("resume_work", "--force")
    wait_until(lambda: IngestJob.objects.get(pk=job.pk).is_finished, timeout=120)
    assert_the_good_files_kept_once_and_the_failure_recorded(job)


@pytest.fixture
def storing_a_message_breaks(monkeypatch):
    """Storing the chat's messages raises an error nobody expects (a 70-character sender id did, until
    it became a problem of its message alone: tests/chats/test_ingest_chats.py)."""

    def broken(rows):
        raise Unforeseen("the store met something new")

    monkeypatch.setattr(chat_services, "_insert_messages", broken)


@pytest.mark.django_db(transaction=True)
def test_a_chat_export_that_stops_on_an_unexpected_error_says_so_and_the_job_ends(
    celery_worker, exhibit, owner, tmp_path, storing_a_message_breaks
):
    folder = tmp_path / "export"
    photos = image_files(folder / "photos", [1, 2])
    write_export(folder, chat("G", 1, [message(1, "user1", "Alice", text="hi"), message(2, "user2", "Mallory")]))
    job = ingest_job_create_from_path(exhibit=exhibit, path=folder, by=owner)
    wait_until(lambda: IngestJob.objects.get(pk=job.pk).is_finished, timeout=120)
    job.refresh_from_db()
    assert job.status == "done"
    export = ChatExport.objects.get(job=job)
    assert export.status == "partial" and "unexpected error: Unforeseen" in english(export.error)
    assert "Chat export" in english(job.error) and "Unforeseen" in english(job.error)
    assert "Unforeseen" in " ".join(map(english, EvidenceFile.objects.get(job=job, path="export/result.json").findings))
    files = {f.path: f.sha256_hex for f in EvidenceFile.objects.filter(job=job)}
    assert files == {  # the export's other files kept, once
        "export/result.json": files["export/result.json"],
        **{f"export/photos/{name}": hashlib.sha256(content).hexdigest() for name, content in photos.items()},
    }


@pytest.mark.django_db(transaction=True)
def test_a_chat_export_with_ordinary_account_ids_is_read_whole_by_the_worker(celery_worker, exhibit, owner, tmp_path):
    """Control of the test above: the same export, its ids of ordinary length."""
    folder = write_export(tmp_path / "export", chat("G", 1, [message(1, "user1", "A"), message(2, "user2", "M")]))
    job = ingest_job_create_from_path(exhibit=exhibit, path=folder, by=owner)
    wait_until(lambda: IngestJob.objects.get(pk=job.pk).is_finished, timeout=120)
    job.refresh_from_db()
    assert (job.status, job.error) == ("done", "")
    assert ChatExport.objects.get(job=job).status == "done"
    assert set(ChatAccount.objects.values_list("from_id", flat=True)) == {"user1", "user2"}


def test_resume_work_closes_a_job_whose_worker_died_after_its_last_batch(exhibit, owner, tmp_path):
    """Its last batch saved, its worker killed before it closed the job: the job is not left running."""
    (tmp_path / "seized").mkdir()
    (tmp_path / "seized" / "letter.txt").write_bytes(b"dear sir\n")
    job = ingest_job_create_from_path(exhibit=exhibit, path=tmp_path / "seized", by=owner, queue=False)
    [batch_id] = ingest_job_enumerate(job=job)
    ingest_batch_process(batch=IngestBatch.objects.get(pk=batch_id))
    IngestJob.objects.filter(pk=job.pk).update(status="running", finished_at=None)  # as if never closed
    call_command("resume_work", "--force")
    job.refresh_from_db()
    assert job.status == "done"
    assert EvidenceFile.objects.get(job=job).path == "seized/letter.txt"


def test_resume_work_leaves_a_job_with_work_to_do_running(exhibit, owner, tmp_path):
    """Control: a job whose batch is not done stays running, its batch queued again."""
    (tmp_path / "seized").mkdir()
    (tmp_path / "seized" / "letter.txt").write_bytes(b"dear sir\n")
    job = ingest_job_create_from_path(exhibit=exhibit, path=tmp_path / "seized", by=owner, queue=False)
    ingest_job_enumerate(job=job)
    try:
        call_command("resume_work", "--force")
        assert IngestJob.objects.get(pk=job.pk).status == "running"
    finally:
        with celery_app.connection_for_write() as connection:  # no worker here: its message goes
            connection.default_channel.queue_purge("ingest")


def test_a_listing_stopped_by_an_unexpected_error_fails_its_job_with_the_reason(exhibit, owner, tmp_path):
    (tmp_path / "seized").mkdir()
    (tmp_path / "seized" / "letter.txt").write_bytes(b"dear sir\n")
    job = ingest_job_create_from_path(exhibit=exhibit, path=tmp_path / "seized", by=owner, queue=False)
    ingest_enumerate.on_failure(TypeError("Unknown field"), "task-id", (job.pk,), {}, None)
    job.refresh_from_db()
    assert (job.status, english(job.error)) == (
        "failed",
        "Could not list the source: stopped by an unexpected error: TypeError: Unknown field",
    )
    assert AuditEvent.objects.filter(action="ingest.failed", target_id=str(job.pk)).exists()
    # Control: a job already listed is ended by its batches, not by its listing's task.
    listed = ingest_job_create_from_path(exhibit=exhibit, path=tmp_path / "seized", by=owner, queue=False)
    ingest_job_enumerate(job=listed)
    ingest_enumerate.on_failure(TypeError("Unknown field"), "task-id", (listed.pk,), {}, None)
    listed.refresh_from_db()
    assert listed.status == "running" and "TypeError" in english(listed.error)


def test_resume_work_sends_each_batch_to_the_queue_of_its_kind(exhibit, owner, tmp_path):
    """Images and videos go back to `media` (decoding hosts), other files to `ingest`, as when first queued."""
    (tmp_path / "seized").mkdir()
    (tmp_path / "seized" / "letter.txt").write_bytes(b"dear sir\n")
    image_files(tmp_path / "seized", [1])
    job = ingest_job_create_from_path(exhibit=exhibit, path=tmp_path / "seized", by=owner, queue=False)
    ingest_job_enumerate(job=job)
    kinds = sorted(IngestBatch.objects.filter(job=job).values_list("kind", flat=True))
    assert kinds == sorted([IngestBatch.Kind.MEDIA, IngestBatch.Kind.FILES])

    def waiting(channel, queue: str) -> int:
        return channel.queue_declare(queue=queue, passive=True).message_count

    with celery_app.connection_for_write() as connection:
        channel = connection.default_channel
        for queue in ("ingest", "media"):
            channel.queue_purge(queue)
        try:
            call_command("resume_work", "--force")
            assert (waiting(channel, "ingest"), waiting(channel, "media")) == (1, 1)
        finally:  # no worker here: the messages go
            for queue in ("ingest", "media"):
                channel.queue_purge(queue)


@pytest.mark.django_db(transaction=True)
def test_a_chat_export_with_no_reader_installed_is_recorded_and_the_job_ends(
    celery_worker, exhibit, owner, tmp_path, monkeypatch
):
    """The pipeline reads a chat export through the reader the chats app registers at start-up
    (evidence/ingest/batch_readers.py); without one, the job says so and keeps its files.
    Control: test_a_chat_export_with_ordinary_account_ids_is_read_whole_by_the_worker."""
    monkeypatch.delitem(batch_readers._readers, "chat")
    folder = write_export(tmp_path / "export", chat("G", 1, [message(1, "user1", "A")]))
    job = ingest_job_create_from_path(exhibit=exhibit, path=folder, by=owner)
    wait_until(lambda: IngestJob.objects.get(pk=job.pk).is_finished, timeout=120)
    job.refresh_from_db()
    assert job.status == "done" and "no reader of chat exports is installed" in english(job.error)
    assert not ChatExport.objects.filter(job=job, messages_count__gt=0).exists()
    assert EvidenceFile.objects.filter(job=job, path="export/result.json").count() == 1
