import hashlib

import pytest

from chats.models import ChatAccount
from evidence.ingest.jobs import ingest_job_create_from_path
from evidence.ingest.pipeline import ingest_batch_process, ingest_job_enumerate
from evidence.models import IngestBatch, IngestJob
from tests.chats.builder import NOT_INCLUDED, chat, message, write_export
from tests.factories import image_files, make_hash_list


def run_inline(job: IngestJob) -> IngestJob:
    """Run the job's tasks in this process, in order (one test uses a real worker)."""
    queue = list(ingest_job_enumerate(job=job))
    while queue:
        queue += ingest_batch_process(batch=IngestBatch.objects.get(pk=queue.pop(0)))
    job.refresh_from_db()
    return job


def group_a_messages() -> list[dict]:
    """Group A: Alice (user1), Bob (user2, later "Bobby") and Carol (user3), with every kind of media."""
    return [
        message(1, "user1", "Alice", text="hello"),
        message(2, "user1", "Alice", photo="photos/img1.jpg", text="known, category 1"),
        message(3, "user2", "Bob", photo="photos/img2.jpg"),
        message(4, "user2", "Bobby", text=["see ", {"type": "link", "text": "http://example.test"}]),
        message(5, "user1", "Alice", photo=NOT_INCLUDED),
        message(6, "user2", "Bobby", photo="../secret.jpg"),
        message(7, "user2", "Bobby", photo="/etc/passwd"),
        message(8, "user1", "Alice", photo="photos/missing.jpg"),
        message(9, "user3", "Carol", file="files/notes.txt", mime_type="text/plain"),
        message(10, "user1", "Alice", photo="photos/img3.jpg", forwarded_from="Somebody", reply_to_message_id=3),
        {
            "id": 11,
            "type": "service",
            "date_unixtime": "1740830400",
            "actor": "Carol",
            "actor_id": "user3",
            "action": "join_group_by_link",
            "text": "",
        },
        "not a message",
        message(12, "user2", "Bobby", photo="photos/img4.jpg"),
        message(13, "user1", "Alice", photo="photos/img1.jpg", text="the same known photo again"),
    ]


@pytest.fixture
def export_folder(tmp_path, admin):
    """An export folder on the evidence server with photos (img1 known cat. 1, img3 known cat. 2)."""
    folder = tmp_path / "sources" / "ChatExport_2025-03-01"
    photos = image_files(folder / "photos", [1, 2, 3, 4])
    (folder / "files").mkdir()
    (folder / "files" / "notes.txt").write_text("meeting notes\n")
    (tmp_path / "sources" / "secret.jpg").write_bytes(photos["img2.jpg"])
    make_hash_list("Alerts", [hashlib.sha256(photos["img1.jpg"]).hexdigest()], by=admin, category="1")
    make_hash_list("Alerts B", [hashlib.sha256(photos["img3.jpg"]).hexdigest()], by=admin, category="2")
    write_export(folder, chat("Group A", 100, group_a_messages()))
    return folder


@pytest.fixture
def ingested(export_folder, exhibit, owner):
    """The export ingested into the exhibit, and its accounts by id."""
    job = run_inline(ingest_job_create_from_path(exhibit=exhibit, path=export_folder, by=owner, queue=False))
    assert job.status == "done"
    return {account.from_id: account for account in ChatAccount.objects.all()}
