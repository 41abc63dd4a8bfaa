"""Synthetic Telegram Desktop exports, written at test time (benign generated images only)."""

import json
from datetime import UTC, datetime
from pathlib import Path

START = int(datetime(2025, 3, 1, 12, 0, tzinfo=UTC).timestamp())
NOT_INCLUDED = "(File not included. Change data exporting settings to download.)"


def message(message_id: int, sender: str | None, name: str = "", *, minutes: int | None = None, **fields) -> dict:
    """A message as Telegram Desktop writes it; ``sender`` is the from_id ("user1") or None."""
    at = START + 60 * (message_id if minutes is None else minutes)
    record = {
        "id": message_id,
        "type": "message",
        "date": datetime.fromtimestamp(at, UTC).strftime("%Y-%m-%dT%H:%M:%S"),
        "date_unixtime": str(at),
        "text": "",
        "text_entities": [],
    }
    if sender is not None:
        record["from"] = name
        record["from_id"] = sender
    record.update(fields)
    return record


def chat(name: str, telegram_id: int, messages: list, kind: str = "private_supergroup") -> dict:
    return {"name": name, "type": kind, "id": telegram_id, "messages": messages}


def write_export(folder: Path, content, *, raw: bytes | None = None) -> Path:
    """Write ``result.json`` (a single chat dict, or {"chats": {"list": [...]}}) into ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    data = raw if raw is not None else json.dumps(content, ensure_ascii=False, indent=1).encode()
    (folder / "result.json").write_bytes(data)
    return folder


def account_export(chats: list[dict]) -> dict:
    """A whole-account export: personal information first, then ``chats.list``."""
    return {
        "about": "Here is the data you requested.",
        "personal_information": {"user_id": 999, "first_name": "Seized", "phone_number": "+32 000"},
        "contacts": {"about": "", "list": []},
        "chats": {"about": "", "list": chats},
        "left_chats": {"about": "", "list": []},
    }
