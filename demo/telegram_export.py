"""A small Telegram Desktop export for the demo dossier: synthetic names, benign generated images."""

import json
from datetime import UTC, datetime
from pathlib import Path

from evidence.synthetic import synthetic_image_bytes

NOT_INCLUDED = "(File not included. Change data exporting settings to download.)"
# (from_id, names over time): the phone's owner, Sara (her Telegram id is on her suspect record) and others.
MEMBERS = {
    "user100000001": ["Luc D."],
    "user100000002": ["sarafx", "Sara F."],
    "user100000003": ["Photo Trader"],
    "user100000004": ["anon_42"],
    "user100000005": ["Quiet Member"],
}
# (sender, image seed or None, text): seeds 3, 7 and 23 are on the demo alert list.
GROUP = [
    ("user100000003", None, "Welcome. Share or leave."),
    ("user100000001", None, "hello all"),
    ("user100000003", 3, "new set"),
    ("user100000003", 7, ""),
    ("user100000002", 40, "mine"),
    ("user100000003", 23, "older one"),
    ("user100000004", None, "who has more?"),
    ("user100000002", 41, ""),
    ("user100000001", 3, "reposting"),
    ("user100000004", NOT_INCLUDED, ""),
    ("user100000005", None, "👍"),
    ("user100000002", 7, ["see ", {"type": "mention", "text": "@trader"}]),
]


def demo_telegram_export(folder: Path) -> Path:
    """Write the export (two chats, twelve and two messages) under ``folder``; return the export folder."""
    export = folder / "Telegram Desktop" / "DataExport_2026-01-10"
    (export / "chats" / "chat_01" / "photos").mkdir(parents=True, exist_ok=True)
    start = int(datetime(2025, 12, 1, 20, 0, tzinfo=UTC).timestamp())
    messages = []
    for number, (sender, media, text) in enumerate(GROUP, start=1):
        names = MEMBERS[sender]
        record = {
            "id": number,
            "type": "message",
            "date_unixtime": str(start + 3600 * number),
            "from": names[min(len(names) - 1, number // 6)],
            "from_id": sender,
            "text": text,
        }
        if isinstance(media, int):
            name = f"chats/chat_01/photos/photo_{number}@2025.jpg"
            (export / name).write_bytes(synthetic_image_bytes(media, "JPEG"))
            record["photo"] = name
        elif media:
            record["photo"] = media
        messages.append(record)
    private = [
        {
            "id": 1,
            "type": "message",
            "date_unixtime": str(start),
            "from": "Luc D.",
            "from_id": "user100000001",
            "text": "did you get the link?",
        },
        {
            "id": 2,
            "type": "message",
            "date_unixtime": str(start + 60),
            "from": "sarafx",
            "from_id": "user100000002",
            "text": "yes, joining now",
        },
    ]
    document = {
        "about": "Synthetic demo export: fictitious names, generated images.",
        "chats": {
            "about": "",
            "list": [
                {"name": "Sara F.", "type": "personal_chat", "id": 100000002, "messages": private},
                {"name": "Exchange group (demo)", "type": "private_supergroup", "id": 1700000001, "messages": messages},
            ],
        },
    }
    (export / "result.json").write_text(json.dumps(document, ensure_ascii=False, indent=1))
    return folder
