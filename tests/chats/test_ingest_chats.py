"""Ingesting a folder that holds a Telegram export: its media are ingested files, its senders accounts."""

import json

from django.db.models import Q

from chats.models import Chat, ChatAccount, ChatExport, ChatMessage
from chats.selectors import accounts_with_counts, files_shared_by, known_by_category
from config.messages import english
from evidence.ingest.jobs import ingest_job_create_from_path
from evidence.models import EvidenceFile, IngestJob
from tests.chats.builder import account_export, chat, message, write_export
from tests.chats.conftest import run_inline
from tests.factories import image_files, make_exhibit, wait_until

FIGURES = (
    "messages_count",
    "media_count",
    "not_exported_count",
    "known_count",
    "known_files",
    "new_count",
    "groups_count",
)


def figures(dossier) -> dict:
    accounts = accounts_with_counts(ChatAccount.objects.filter(dossier=dossier))
    return {account.from_id: {name: getattr(account, name) for name in FIGURES} for account in accounts}


def test_each_account_is_credited_exactly_with_what_it_shared(ingested, dossier):
    assert figures(dossier) == {
        # 1, 2, 5, 8, 10, 13; media: 2, 5 (not exported), 8 (missing), 10, 13; known: 2, 10, 13 (img1 twice)
        "user1": dict(
            messages_count=6,
            media_count=5,
            not_exported_count=2,
            known_count=3,
            known_files=2,
            new_count=0,
            groups_count=1,
        ),
        # 3, 4, 6, 7, 12; media 3 (new), 6 and 7 (refused), 12 (new)
        "user2": dict(
            messages_count=5,
            media_count=4,
            not_exported_count=2,
            known_count=0,
            known_files=0,
            new_count=2,
            groups_count=1,
        ),
        # 9 (a text file: neither known nor new); the service message (join) is not counted as a message
        "user3": dict(
            messages_count=1,
            media_count=1,
            not_exported_count=0,
            known_count=0,
            known_files=0,
            new_count=0,
            groups_count=1,
        ),
    }
    assert known_by_category([ingested["user1"].pk]) == {ingested["user1"].pk: [("1", 2), ("2", 1)]}


def test_media_are_the_ingested_files_of_the_export_and_refused_paths_are_recorded(ingested, dossier):
    by_id = {m.message_id: m for m in ChatMessage.objects.select_related("media")}
    assert by_id[2].media.path == "ChatExport_2025-03-01/photos/img1.jpg"
    assert (by_id[2].media.triage, by_id[2].media.match_category) == ("known", "1")
    assert by_id[3].media.triage == "new_image" and by_id[3].media.thumbnail
    assert by_id[5].media is None and english(by_id[5].media_missing).startswith("not exported: File not included")
    assert by_id[6].media is None and english(by_id[6].media_missing) == "refused: the path leads outside the export"
    assert english(by_id[7].media_missing) == "refused: absolute path, not inside the export"
    assert english(by_id[8].media_missing) == "missing: no such file in the export folder"
    assert by_id[9].media.mime == "text/plain" and by_id[9].media_mime == "text/plain"
    assert (by_id[10].forwarded_from, by_id[10].reply_to) == ("Somebody", 3)
    assert by_id[4].text == "see http://example.test"
    # The file outside the export folder was never read.
    assert not EvidenceFile.objects.filter(path__contains="secret").exists()
    export = ChatExport.objects.get()
    assert (export.status, export.chats_count, export.messages_count, export.media_count) == ("done", 1, 13, 10)
    reasons = [english(problem["reason"]) for problem in export.problems]
    assert "a message that is not an object was skipped" in reasons
    assert any(reason.startswith("photo: refused") for reason in reasons)
    assert "photo: photos/missing.jpg: not in the export folder" in reasons
    assert export.problems_count == 4
    chat_row = Chat.objects.get()
    assert (chat_row.name, chat_row.telegram_id, chat_row.kind, chat_row.messages_count) == (
        "Group A",
        100,
        "private_supergroup",
        13,
    )


def test_an_account_keeps_every_name_it_showed_and_is_named_by_the_latest(ingested):
    bob = ingested["user2"]
    assert bob.display_name == "Bobby"
    assert set(bob.messages.values_list("from_name", flat=True)) == {"Bob", "Bobby"}


def test_files_shared_by_accounts_are_the_files_for_a_vics_export(ingested):
    shared = files_shared_by(ChatAccount.objects.filter(from_id="user1"))
    assert sorted(f.name for f in shared) == ["img1.jpg", "img3.jpg"]
    both = files_shared_by(ChatAccount.objects.filter(from_id__in=["user1", "user2"]))
    assert sorted(f.name for f in both) == ["img1.jpg", "img2.jpg", "img3.jpg", "img4.jpg"]


def test_a_whole_account_export_credits_each_chat_and_accounts_span_exhibits(ingested, dossier, owner, tmp_path):
    folder = tmp_path / "phone2" / "Telegram Desktop" / "DataExport"
    image_files(folder / "chats" / "chat_02" / "photos", [1])
    document = account_export(
        [
            chat("Saved", 5, [message(1, "user9", "Owner", text="note to self")], kind="saved_messages"),
            chat("Group B", 200, [message(1, "user1", "Alice B.", minutes=100, photo="chats/chat_02/photos/img1.jpg")]),
        ]
    )
    write_export(folder, document)
    second = make_exhibit(dossier, "SC-2", by=owner)
    run_inline(ingest_job_create_from_path(exhibit=second, path=tmp_path / "phone2", by=owner, queue=False))
    counts = figures(dossier)
    assert counts["user1"]["groups_count"] == 2 and counts["user1"]["known_count"] == 4
    assert counts["user9"]["messages_count"] == 1
    assert ChatAccount.objects.get(from_id="user1").display_name == "Alice B."
    export = ChatExport.objects.get(exhibit=second)
    assert (export.chats_count, export.folder) == (2, "phone2/Telegram Desktop/DataExport")


def test_a_truncated_export_is_read_in_part_and_the_job_says_so(exhibit, owner, tmp_path, dossier):
    folder = tmp_path / "export"
    text = json.dumps(chat("G", 1, [message(1, "user1", "A"), message(2, "user1", "A"), message(3, "user2", "B")]))
    write_export(folder, None, raw=text[: text.index('"id": 3')].encode())
    job = run_inline(ingest_job_create_from_path(exhibit=exhibit, path=folder, by=owner, queue=False))
    assert job.status == IngestJob.Status.DONE
    assert "read in part" in english(job.error)
    export = ChatExport.objects.get()
    assert export.status == "partial" and english(export.error).startswith("the file is malformed or ends early")
    assert figures(dossier) == {
        "user1": dict(
            messages_count=2,
            media_count=0,
            not_exported_count=0,
            known_count=0,
            known_files=0,
            new_count=0,
            groups_count=1,
        )
    }
    assert EvidenceFile.objects.get(path="export/result.json").triage == "other"


def test_a_result_json_that_is_not_an_export_is_only_a_file(exhibit, owner, tmp_path):
    write_export(tmp_path / "app", {"name": "some app", "settings": {"messages": 3}})
    job = run_inline(ingest_job_create_from_path(exhibit=exhibit, path=tmp_path / "app", by=owner, queue=False))
    assert job.status == "done" and job.error == ""
    assert not ChatExport.objects.exists() and not ChatAccount.objects.exists()
    assert EvidenceFile.objects.filter(Q(path="app/result.json")).exists()


def test_a_batch_read_again_replaces_what_it_stored(ingested, dossier):
    from chats.services import chat_export_read

    export = ChatExport.objects.get()
    chat_export_read(batch=export.batch)
    assert ChatExport.objects.count() == 1 and ChatMessage.objects.count() == 13
    assert figures(dossier)["user1"]["known_count"] == 3


def test_a_real_worker_ingests_an_export(celery_worker, export_folder, exhibit, owner, dossier):
    job = ingest_job_create_from_path(exhibit=exhibit, path=export_folder, by=owner)
    wait_until(lambda: IngestJob.objects.get(pk=job.pk).is_finished, timeout=120)
    assert IngestJob.objects.get(pk=job.pk).status == "done"
    assert figures(dossier)["user1"]["known_count"] == 3


def test_a_result_json_that_is_a_link_is_not_followed(exhibit, owner, tmp_path):
    outside = write_export(tmp_path / "elsewhere", chat("Other case", 7, [message(1, "user5", "E")]))
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "result.json").symlink_to(outside / "result.json")
    job = run_inline(ingest_job_create_from_path(exhibit=exhibit, path=tmp_path / "src", by=owner, queue=False))
    assert job.status == "done" and not ChatExport.objects.exists() and not ChatAccount.objects.exists()
    run_inline(ingest_job_create_from_path(exhibit=exhibit, path=outside, by=owner, queue=False))  # control
    assert ChatAccount.objects.get().from_id == "user5"


def test_integers_past_a_database_bigint_lose_only_themselves(exhibit, owner, tmp_path):
    huge = 1 << 63  # one past the largest BIGINT
    messages = [
        message(1, "user1", "Alice", text="first"),
        message(2, "user1", "Alice", text="a reply to a huge id", reply_to_message_id=huge),
        message(3, "user2", "Bob", file="files/big.bin", file_size=huge * 4),
        {**message(4, "user2", "Bob", text="its own id is too large"), "id": huge},
        message(5, huge, "Old export", text="a bare number as sender"),
        message(6, "user1", "Alice", text="last"),
    ]
    source = write_export(tmp_path / "export", chat("Huge", huge, messages))
    job = run_inline(ingest_job_create_from_path(exhibit=exhibit, path=source, by=owner, queue=False))
    assert job.status == "done"
    export = ChatExport.objects.get()
    kept = ChatMessage.objects.filter(chat__export=export).order_by("message_id")
    assert [m.message_id for m in kept] == [1, 2, 3, 5, 6]
    assert kept.get(message_id=2).reply_to is None and kept.get(message_id=3).media_size is None
    assert Chat.objects.get(export=export).telegram_id is None
    assert any("id is out of range" in english(problem["reason"]) for problem in export.problems)


def test_the_largest_bigint_values_are_kept_as_they_are(exhibit, owner, tmp_path):
    largest = (1 << 63) - 1
    messages = [message(1, "user1", "Alice", reply_to_message_id=largest), {**message(2, "user1"), "id": largest}]
    source = write_export(tmp_path / "export", chat("Largest", largest, messages))
    run_inline(ingest_job_create_from_path(exhibit=exhibit, path=source, by=owner, queue=False))
    kept = ChatMessage.objects.order_by("message_id")
    assert [m.message_id for m in kept] == [1, largest] and kept[0].reply_to == largest
    assert Chat.objects.get().telegram_id == largest


def test_a_sender_id_longer_than_an_account_id_loses_only_its_link(exhibit, owner, tmp_path, dossier):
    """A 70-character sender id: its message is kept with its name and text, linked to no account; the
    messages after it in the same chunk are kept too (they were lost with the whole chunk before)."""
    too_long = "user" + "9" * 66
    longest = "channel" + "9" * 57  # 64 characters: the longest id an account takes
    messages = [
        message(1, "user1", "Alice", text="first"),
        message(2, too_long, "Mallory", text="from a forged id"),
        message(3, "user3", "Carol", text="after it"),
        message(4, longest, "A channel", text="the longest id kept"),
    ]
    source = write_export(tmp_path / "export", chat("G", 1, messages))
    job = run_inline(ingest_job_create_from_path(exhibit=exhibit, path=source, by=owner, queue=False))
    assert (job.status, job.error) == ("done", "")
    export = ChatExport.objects.get()
    assert export.status == "done" and export.messages_count == 4
    kept = {m.message_id: m for m in ChatMessage.objects.filter(chat__export=export)}
    assert sorted(kept) == [1, 2, 3, 4]
    assert (kept[2].from_name, kept[2].text, kept[2].account_id) == ("Mallory", "from a forged id", None)
    assert set(ChatAccount.objects.filter(dossier=dossier).values_list("from_id", flat=True)) == {
        "user1",
        "user3",
        longest,
    }
    assert kept[4].account.from_id == longest  # control: 64 characters are an account
    [problem] = export.problems
    assert english(problem["where"]) == "chat 1, message 2" and "sender id of 70 characters" in english(
        problem["reason"]
    )
