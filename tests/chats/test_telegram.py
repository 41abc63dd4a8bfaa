"""The Telegram export reader alone: no database, no Django."""

import io
import json

import pytest

from chats import telegram
from config.messages import english
from tests.chats.builder import NOT_INCLUDED, account_export, chat, message


def read(document) -> list:
    data = document if isinstance(document, bytes) else json.dumps(document).encode()
    return list(telegram.read_export(io.BytesIO(data)))


def messages_of(events) -> list[telegram.Message]:
    return [event for event in events if isinstance(event, telegram.Message)]


def problems_of(events) -> list[telegram.Problem]:
    return [event for event in events if isinstance(event, telegram.Problem)]


def test_a_single_chat_export_gives_its_chat_and_messages_in_order():
    events = read(chat("Group A", 100, [message(1, "user1", "Alice", text="hi"), message(2, "user2", "Bob")]))
    assert isinstance(events[0], telegram.ChatStart)
    end = events[-1]
    assert (end.telegram_id, end.name, end.kind) == (100, "Group A", "private_supergroup")
    first, second = messages_of(events)
    assert (first.message_id, first.from_id, first.from_name, first.text) == (1, "user1", "Alice", "hi")
    assert first.date.isoformat() == "2025-03-01T12:01:00+00:00"
    assert second.from_id == "user2" and problems_of(events) == []


def test_a_whole_account_export_gives_each_chat_of_its_list():
    document = account_export(
        [chat("Group A", 100, [message(1, "user1", "Alice")]), chat("Group B", 200, [message(1, "user1", "Al")])]
    )
    events = read(document)
    ends = [event for event in events if isinstance(event, telegram.ChatEnd)]
    assert [(end.index, end.name, end.telegram_id) for end in ends] == [(0, "Group A", 100), (1, "Group B", 200)]
    assert [(m.chat_index, m.from_name) for m in messages_of(events)] == [(0, "Alice"), (1, "Al")]


def test_text_given_as_an_array_of_entities_is_flattened():
    text = ["see ", {"type": "link", "text": "http://example.test"}, " and ", {"type": "bold", "text": "this"}, 3]
    (only,) = messages_of(read(chat("G", 1, [message(1, "user1", "A", text=text)])))
    assert only.text == "see http://example.test and this"


@pytest.mark.parametrize(
    ("value", "path", "missing"),
    [
        ("photos/photo_1@01-03-2025.jpg", "photos/photo_1@01-03-2025.jpg", ""),
        ("photos/./a/../b.jpg", "photos/b.jpg", ""),
        ("files\\doc.pdf", "files/doc.pdf", ""),
        (NOT_INCLUDED, "", "not exported: File not included. Change data exporting settings to download."),
        ("../outside.jpg", "", "refused: the path leads outside the export"),
        ("photos/../../outside.jpg", "", "refused: the path leads outside the export"),
        ("/etc/passwd", "", "refused: absolute path, not inside the export"),
        ("C:\\Users\\x.jpg", "", "refused: absolute path, not inside the export"),
    ],
)
def test_media_paths_stay_inside_the_export(value, path, missing):
    found, why = telegram.media_path(value)
    assert (found, english(why)) == (path, missing)


def test_refused_media_paths_are_problems_and_placeholders_are_not():
    events = read(
        chat(
            "G",
            1,
            [
                message(1, "user1", "A", photo="../x.jpg"),
                message(2, "user1", "A", photo=NOT_INCLUDED),
                message(3, "user1", "A", file="files/a.mp4", mime_type="video/mp4", file_size=12),
            ],
        )
    )
    refused, placeholder, video = messages_of(events)
    assert (refused.media_kind, refused.media_path, english(refused.media_missing)[:8]) == ("photo", "", "refused:")
    assert english(placeholder.media_missing).startswith("not exported")
    assert (video.media_kind, video.media_path, video.mime_type, video.media_size) == (
        "file",
        "files/a.mp4",
        "video/mp4",
        12,
    )
    assert [(english(p.where), english(p.reason)[:14]) for p in problems_of(events)] == [
        ("chat 1, message 1", "photo: refused")
    ]


def test_malformed_entries_are_skipped_with_a_reason_and_the_rest_read():
    events = read(
        chat(
            "G",
            1,
            [
                "not an object",
                {"id": "seven", "type": "message"},
                message(3, "somebody", "A"),
                message(4, 42, "Old format"),
                message(5, "user1", "A", date_unixtime="soon", date="2025-03-01T13:00:00"),
                message(6, "user1", "A"),
            ],
        )
    )
    kept = messages_of(events)
    assert [m.message_id for m in kept] == [3, 4, 5, 6]
    assert [m.from_id for m in kept] == ["", "user42", "user1", "user1"]
    assert kept[2].date.isoformat() == "2025-03-01T13:00:00"  # naive: the examiner's zone applies
    reasons = [english(p.reason) for p in problems_of(events)]
    assert reasons[0] == "a message that is not an object was skipped"
    assert reasons[1].startswith("a message without a numeric id was skipped")
    assert reasons[2].startswith("unrecognised sender id")
    assert len(reasons) == 3


def test_a_truncated_file_keeps_what_came_before_and_ends_with_a_problem():
    data = json.dumps(chat("G", 9, [message(1, "user1", "A"), message(2, "user1", "A"), message(3, "user2", "B")]))
    events = read(data[: data.index('"id": 3')].encode())
    assert [m.message_id for m in messages_of(events)] == [1, 2]
    assert isinstance(events[-2], telegram.ChatEnd) and events[-2].telegram_id == 9
    assert english(events[-1].reason).startswith("the file is malformed or ends early")


def test_a_json_file_that_is_not_an_export_is_said_so():
    with pytest.raises(telegram.NotAnExport):
        read({"name": "package", "version": "1.0"})
    assert english(read(b"")[-1].reason).startswith("the file is malformed")


def test_service_messages_are_attributed_to_their_actor():
    joined = {
        "id": 7,
        "type": "service",
        "date_unixtime": "1740830400",
        "actor": "Carol",
        "actor_id": "user3",
        "action": "join_group_by_link",
        "text": "",
    }
    (only,) = messages_of(read(chat("G", 1, [joined])))
    assert (only.kind, only.from_id, only.from_name, only.action) == ("service", "user3", "Carol", "join_group_by_link")


def test_nul_characters_are_dropped_since_a_database_text_cannot_hold_them():
    events = read(
        chat("G\u0000", 1, [message(1, "user1", "A\u0000B", text=["x\u0000", {"type": "bold", "text": "y"}])])
    )
    (only,) = messages_of(events)
    assert (only.from_name, only.text, events[-1].name) == ("AB", "xy", "G")
