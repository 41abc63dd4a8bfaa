"""Telegram Desktop exports (``result.json``), streamed with ijson. Plain Python: no Django here.

Two shapes: one chat ``{name, type, id, messages: [...]}``, or a whole account with
``chats.list`` (and ``left_chats.list``) holding such chats. ``read_export`` yields, in order,
``ChatStart``, the chat's ``Message`` objects, ``ChatEnd`` (with the chat's name, type and id,
which Telegram writes before the messages but need not), and a ``Problem`` for every entry that
cannot be read. A problem is never fatal: a truncated or malformed file stops the reading with
one last ``Problem``, and whatever came before it stays.

Media paths are only ever *named* here: ``media_path`` normalises a path relative to the export
folder and refuses absolute paths and paths leading out of it. Nothing is opened from them.
"""

import posixpath
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import BinaryIO

import ijson

from config import messages as worker_messages

BLOCK = 64 * 1024
CHAT_PREFIXES = {"": "", "chats.list.item": "chats.list.item.", "left_chats.list.item": "left_chats.list.item."}
SENDER_ID = re.compile(r"^(user|channel|chat)\d+$")
# The longest sender id kept (the account id column, chats.models.ChatAccount.from_id). Telegram's ids
# are 64-bit numbers ("channel" and 20 digits at most); a longer one is a problem of its message alone.
SENDER_ID_MAX = 64
WINDOWS_ABSOLUTE = re.compile(r"^[A-Za-z]:[\\/]")
MAX_TEXT = 100_000


@dataclass(slots=True)
class ChatStart:
    index: int  # 0, 1, ... in the order of the file


@dataclass(slots=True)
class ChatEnd:
    index: int
    telegram_id: int | None
    name: str
    kind: str  # Telegram's "type": personal_chat, private_group, private_supergroup, ...


@dataclass(slots=True)
class Message:
    chat_index: int
    message_id: int
    kind: str  # "message", or "service" (joins, pins, ...)
    date: datetime | None  # aware (UTC) from date_unixtime; naive local time if only "date" is given
    from_name: str
    from_id: str  # "user123", "channel123"; "" when the sender is not given
    forwarded_from: str = ""
    reply_to: int | None = None
    text: str = ""
    action: str = ""
    media_kind: str = ""  # "photo" or "file" ("" without media)
    media_path: str = ""  # relative to the export folder, normalised ("" if not exported or refused)
    media_missing: worker_messages.Message | str = ""  # why the media is not in the export (config.messages)
    media_type: str = ""  # Telegram's media_type: video_file, voice_message, sticker, ...
    mime_type: str = ""
    media_size: int | None = None


# The problem that ends the reading: the file is malformed or cut (config.messages code).
MALFORMED = "chat.malformed"
# Telegram's placeholder for media not exported: said on the message, not a problem of the export.
NOT_EXPORTED = "chat.media_not_exported"


def _chat_at(index: int) -> worker_messages.Message:
    return worker_messages.message("chat.at_chat", chat=index + 1)


@dataclass(slots=True)
class Problem:
    where: worker_messages.Message  # "chat 2, message 17", "byte 5120" (config.messages)
    reason: worker_messages.Message


@dataclass
class _Chat:
    index: int
    fields: dict = field(default_factory=dict)


class NotAnExport(ValueError):
    """The JSON is not a Telegram export (no messages, no chats list)."""


def read_export(stream: BinaryIO) -> Iterator[ChatStart | ChatEnd | Message | Problem]:
    """Stream the export's chats and messages. Raises NotAnExport when the top level holds neither
    ``messages`` nor ``chats`` (checked at the end of a well-formed file, so nothing is kept)."""
    chat: _Chat | None = None
    chat_prefix = ""
    top_fields: dict = {}  # a single-chat export's name, type and id (before its messages, as a rule)
    builder = None
    count = 0
    saw_export = False
    parse = _parser_for(stream)
    reader = _Reader(stream)
    try:
        for prefix, event, value in parse(reader, buf_size=BLOCK, use_float=True):
            if builder is not None:
                if prefix == chat_prefix + "messages.item" and event == "end_map":
                    yield from message_from(chat.index, builder.value)
                    builder = None
                else:
                    builder.event(event, value)
                continue
            if event == "start_map" and prefix in ("chats.list.item", "left_chats.list.item"):
                saw_export = True
                chat, chat_prefix = _Chat(count), CHAT_PREFIXES[prefix]
                count += 1
                yield ChatStart(chat.index)
            elif event == "start_array" and prefix == "messages" and chat is None:
                saw_export = True
                chat, chat_prefix = _Chat(count), ""
                count += 1
                yield ChatStart(chat.index)
            elif chat is not None and prefix == chat_prefix + "messages.item":
                if event == "start_map":
                    builder = ijson.ObjectBuilder()
                    builder.event(event, value)
                elif event not in ("end_array",):
                    yield Problem(_chat_at(chat.index), worker_messages.message("chat.message_not_object"))
            elif prefix in ("name", "type", "id"):
                top_fields[prefix] = value
            elif chat is not None and chat_prefix and prefix in (chat_prefix + key for key in ("name", "type", "id")):
                chat.fields[prefix.rsplit(".", 1)[-1]] = value
            elif chat is not None and event == "end_map" and prefix in ("chats.list.item", "left_chats.list.item"):
                yield _chat_end(chat)
                chat = None
            elif prefix == "chats" and event == "start_map":
                saw_export = True
        if chat is not None:  # a single-chat export ends with the file
            chat.fields = top_fields
            yield _chat_end(chat)
    except ijson.JSONError as error:
        reason = str(error).splitlines()[0][:200]
        if chat is not None:
            chat.fields = chat.fields if chat_prefix else top_fields
            yield _chat_end(chat)
        yield Problem(
            worker_messages.message("chat.at_byte", byte=str(reader.offset)),
            worker_messages.message(MALFORMED, reason=reason),
        )
        return
    if not saw_export:
        raise NotAnExport("no messages and no chats list: not a Telegram export")


def _chat_end(chat: _Chat) -> ChatEnd:
    fields = chat.fields
    telegram_id = fields.get("id")
    if not _is_int(telegram_id):
        telegram_id = None
    name = fields.get("name")
    return ChatEnd(
        chat.index,
        telegram_id,
        _string(name),
        fields["type"] if isinstance(fields.get("type"), str) else "",
    )


# 19 digits or more may not fit the C parser's 64-bit integers.
LONG_NUMBER = re.compile(rb"[0-9]{19,}")


def _parser_for(stream: BinaryIO):
    """ijson's C parser, unless the file holds a number too long for it ("integer overflow" stopped
    the whole reading): then the pure-Python parser, slower but exact. A stream that cannot be read
    twice keeps the C parser."""
    if not stream.seekable():
        return ijson.parse
    start, tail = stream.tell(), b""
    try:
        while block := stream.read(BLOCK * 16):
            if LONG_NUMBER.search(tail + block):
                return ijson.get_backend("python").parse
            tail = block[-32:]
    finally:
        stream.seek(start)
    return ijson.parse


class _Reader:
    def __init__(self, stream: BinaryIO):
        self.stream = stream
        self.offset = 0

    def read(self, size: int = BLOCK) -> bytes:
        block = self.stream.read(size)
        if self.offset == 0 and block.startswith(b"\xef\xbb\xbf"):
            block = block[3:]
        self.offset += len(block)
        return block


def message_from(chat_index: int, raw) -> Iterator[Message | Problem]:
    """One message of the export as a ``Message``, or the ``Problem`` that kept it out."""
    where = _chat_at(chat_index)
    if not isinstance(raw, dict):
        yield Problem(where, worker_messages.message("chat.message_not_object"))
        return
    message_id = raw.get("id")
    if not _is_int(message_id):
        number = isinstance(message_id, int) and not isinstance(message_id, bool)
        code = "chat.message_id_out_of_range" if number else "chat.message_without_id"
        yield Problem(where, worker_messages.message(code, id=str(message_id)[:40]))
        return
    where = worker_messages.message("chat.at_message", chat=chat_index + 1, message=str(message_id))
    problems = []
    kind = raw.get("type") if raw.get("type") in ("message", "service") else "message"
    sender_key = "from_id" if kind == "message" else "actor_id"
    name_key = "from" if kind == "message" else "actor"
    from_id = _sender_id(raw.get(sender_key, raw.get("from_id")))
    if from_id is None:
        problems.append(worker_messages.message("chat.sender_unrecognised", id=str(raw.get(sender_key))[:40]))
        from_id = ""
    elif len(from_id) > SENDER_ID_MAX:
        problems.append(
            worker_messages.message("chat.sender_too_long", length=len(from_id), most=SENDER_ID_MAX, id=from_id[:40])
        )
        from_id = ""  # the message is kept, linked to no account
    message = Message(
        chat_index=chat_index,
        message_id=message_id,
        kind=kind,
        date=_date(raw),
        from_name=_string(raw.get(name_key, raw.get("from")))[:255],
        from_id=from_id,
        forwarded_from=_string(raw.get("forwarded_from"))[:255],
        reply_to=raw["reply_to_message_id"] if _is_int(raw.get("reply_to_message_id")) else None,
        text=flatten_text(raw.get("text"))[:MAX_TEXT],
        action=_string(raw.get("action"))[:64],
        media_type=_string(raw.get("media_type"))[:64],
        mime_type=_string(raw.get("mime_type"))[:255],
    )
    if message.date is None:
        problems.append(worker_messages.message("chat.no_date"))
    for key, size_key in (("photo", "photo_file_size"), ("file", "file_size")):
        if key not in raw:
            continue
        message.media_kind = key
        value = raw.get(key)
        if not isinstance(value, str) or not value.strip():
            message.media_missing = worker_messages.message("chat.media_unnamed")
        else:
            message.media_path, message.media_missing = media_path(value)
        if _is_int(raw.get(size_key)) and raw[size_key] >= 0:
            message.media_size = raw[size_key]
        if message.media_missing and worker_messages.code_of(message.media_missing) != NOT_EXPORTED:
            problems.append(worker_messages.message(f"chat.{key}_missing", reason=message.media_missing))
        break
    for reason in problems:
        yield Problem(where, reason)
    yield message


def media_path(value: str) -> tuple[str, worker_messages.Message | str]:
    """(normalised path relative to the export folder, "") or ("", why it is not a file of the export:
    a message, config.messages).

    Telegram writes a placeholder in parentheses when media were not exported; anything absolute
    or leading out of the folder is refused.
    """
    text = value.strip()
    if text.startswith("("):
        return "", worker_messages.message(NOT_EXPORTED, placeholder=text.strip("()")[:200])
    if text.startswith(("/", "\\")) or WINDOWS_ABSOLUTE.match(text) or "\x00" in text:
        return "", worker_messages.message("chat.media_absolute")
    normal = posixpath.normpath(text.replace("\\", "/"))
    if normal == ".." or normal.startswith("../") or normal == ".":
        return "", worker_messages.message("chat.media_outside")
    return normal, ""


def flatten_text(value) -> str:
    """The message's text: a string, or an array of strings and entity objects ({type, text})."""
    if isinstance(value, str):
        return _string(value)
    if isinstance(value, list):
        parts = []
        for part in value:
            if isinstance(part, str):
                parts.append(part)
            elif isinstance(part, dict) and isinstance(part.get("text"), str):
                parts.append(part["text"])
        return _string("".join(parts))
    return ""


def _sender_id(value) -> str | None:
    if value is None or value == "":
        return ""
    if _is_int(value):  # old exports wrote a bare number for users
        return f"user{value}"
    if isinstance(value, str) and SENDER_ID.match(value):
        return value
    return None


def _date(raw: dict) -> datetime | None:
    unix = raw.get("date_unixtime")
    try:
        if isinstance(unix, (str, int)) and not isinstance(unix, bool):
            return datetime.fromtimestamp(int(unix), UTC)
    except (ValueError, OverflowError, OSError):
        pass
    text = raw.get("date")
    if isinstance(text, str):
        try:
            return datetime.fromisoformat(text).replace(tzinfo=None)
        except ValueError:
            return None
    return None


def _string(value) -> str:
    # A database text column takes no NUL character; JSON may hold one ("\u0000").
    return value.replace("\x00", "") if isinstance(value, str) else ""


# A database BIGINT's range: JSON integers have none, and one past it made the whole reading fail.
BIGINT_MIN, BIGINT_MAX = -(1 << 63), (1 << 63) - 1


def _is_int(value) -> bool:
    """An integer that a BIGINT column holds (booleans and out-of-range numbers are not)."""
    return isinstance(value, int) and not isinstance(value, bool) and BIGINT_MIN <= value <= BIGINT_MAX
