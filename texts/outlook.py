"""An Outlook message (.msg, [MS-OXMSG]): its headers, its body and the names of its attachments.

A .msg is a compound file (OLE2, like an old .doc): each property of the message is a stream named
``__substg1.0_<id><type>`` or, if of a fixed size, an entry of ``__properties_version1.0``; each
attachment and recipient is a storage of its own. Read with olefile, which parses the compound file
and nothing else, under its strict mode for hostile files. extract-msg was not taken: it pulls in
thirteen packages (oletools, msoffcrypto-tool, a GUI toolkit...) for what these few properties need.

The body is the plain text one, else the HTML one made text, else the compressed RTF one
(``texts.rtf``). ``OutlookMessage`` is also what the ingest walks to take each attachment out as a
file of its own (``evidence.ingest.archives.mails``).
"""

import io
import struct
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import olefile

from config.messages import message
from texts.limits import Budget, Limits, TextRefused
from texts.plain import html_text
from texts.rtf import RtfError, rtf_decompress, rtf_text
from texts.sink import Sink

OLE_MAGIC = bytes.fromhex("D0CF11E0A1B11AE1")
PROPERTIES = "__properties_version1.0"
ATTACHMENT_PREFIX = "__attach_version1.0_#"
RECIPIENT_PREFIX = "__recip_version1.0_#"
EMBEDDED = "__substg1.0_3701000D"
# Property ids ([MS-OXPROPS])
SUBJECT, SENDER_NAME, SENDER_ADDRESS, SENDER_SMTP = 0x0037, 0x0C1A, 0x0C1F, 0x5D01
DISPLAY_TO, DISPLAY_CC, BODY, HTML, RTF_COMPRESSED = 0x0E04, 0x0E03, 0x1000, 0x1013, 0x1009
SUBMIT_TIME, DELIVERY_TIME, CODEPAGE, INTERNET_CODEPAGE = 0x0039, 0x0E06, 0x3FFD, 0x3FDE
RECIPIENT_TYPE, DISPLAY_NAME, EMAIL_ADDRESS, SMTP_ADDRESS = 0x0C15, 0x3001, 0x3003, 0x39FE
ATTACH_DATA, ATTACH_FILENAME, ATTACH_LONG_FILENAME, ATTACH_METHOD, ATTACH_MIME = 0x3701, 0x3704, 0x3707, 0x3705, 0x370E
TO, CC = 1, 2
BY_VALUE, EMBEDDED_MESSAGE = 1, 5
# Errors olefile (or struct, on a property stream cut short) raises on a damaged compound file.
OLE_ERRORS = (OSError, ValueError, struct.error, IndexError, KeyError, TypeError, EOFError, AttributeError)


class OutlookMessage:
    """One message of a .msg: the file's own, or one embedded in an attachment (``storage`` is the
    path of the storage holding it). Streams larger than ``limits.max_member_bytes`` are not read."""

    def __init__(self, ole: olefile.OleFileIO, limits: Limits, storage: tuple[str, ...] = ()):
        self.ole, self.limits, self.storage = ole, limits, storage
        # The fixed properties follow a header of 32 bytes in the file's own message, 24 in an
        # embedded one ([MS-OXMSG] 2.4.1).
        self.fixed = _fixed_properties(self._stream((*storage, PROPERTIES)), 32 if not storage else 24)
        codepage = self.fixed.get(INTERNET_CODEPAGE) or self.fixed.get(CODEPAGE) or 1252
        self.encoding = f"cp{codepage}" if codepage not in (65001, 1200) else "utf-8"

    def _stream(self, path: tuple[str, ...]) -> bytes | None:
        if not self.ole.exists("/".join(path)) or self.ole.get_type("/".join(path)) != olefile.STGTY_STREAM:
            return None
        size = self.ole.get_size("/".join(path))
        if size > self.limits.max_member_bytes:
            raise TextRefused(
                message("text.member_too_large", member=path[-1], size=size, limit=self.limits.max_member_bytes)
            )
        return self.ole.openstream("/".join(path)).read()

    def string(self, property_id: int, storage: tuple[str, ...] | None = None) -> str:
        storage = self.storage if storage is None else storage
        data = self._stream((*storage, f"__substg1.0_{property_id:04X}001F"))
        if data is not None:
            return data.decode("utf-16-le", errors="replace").rstrip("\0")
        data = self._stream((*storage, f"__substg1.0_{property_id:04X}001E"))
        if data is not None:
            try:
                return data.decode(self.encoding, errors="replace").rstrip("\0")
            except LookupError:
                return data.decode("cp1252", errors="replace").rstrip("\0")
        return ""

    def binary(self, property_id: int, storage: tuple[str, ...] | None = None) -> bytes | None:
        storage = self.storage if storage is None else storage
        return self._stream((*storage, f"__substg1.0_{property_id:04X}0102"))

    def size_of(self, property_id: int, storage: tuple[str, ...]) -> int:
        return self.ole.get_size("/".join((*storage, f"__substg1.0_{property_id:04X}0102")))

    def children(self, prefix: str) -> list[tuple[str, ...]]:
        """The storages directly under this message whose names start with ``prefix``, in order."""
        depth = len(self.storage)
        found = {
            tuple(path[: depth + 1])
            for path in self.ole.listdir(streams=True, storages=True)
            if len(path) > depth and tuple(path[:depth]) == self.storage and path[depth].startswith(prefix)
        }
        return sorted(found)

    def date(self) -> datetime | None:
        return self.fixed.get(SUBMIT_TIME) or self.fixed.get(DELIVERY_TIME)

    def recipients(self, kind: int) -> str:
        """The recipients of ``kind`` (To, Cc) with their addresses, else the message's display line."""
        found = []
        for storage in self.children(RECIPIENT_PREFIX):
            fixed = _fixed_properties(self._stream((*storage, PROPERTIES)), 8)
            if fixed.get(RECIPIENT_TYPE) != kind:
                continue
            name = self.string(DISPLAY_NAME, storage)
            address = self.string(SMTP_ADDRESS, storage) or self.string(EMAIL_ADDRESS, storage)
            found.append(_named(name, address))
        return ", ".join(item for item in found if item) or self.string(DISPLAY_TO if kind == TO else DISPLAY_CC)

    def attachments(self) -> list["OutlookAttachment"]:
        return [OutlookAttachment(self, storage) for storage in self.children(ATTACHMENT_PREFIX)]


class OutlookAttachment:
    def __init__(self, owner: OutlookMessage, storage: tuple[str, ...]):
        self.owner, self.storage = owner, storage
        self.fixed = _fixed_properties(owner._stream((*storage, PROPERTIES)), 8)
        self.name = (
            owner.string(ATTACH_LONG_FILENAME, storage)
            or owner.string(ATTACH_FILENAME, storage)
            or owner.string(DISPLAY_NAME, storage)
        )
        embedded = "/".join((*storage, EMBEDDED))
        self.is_message = owner.ole.exists(embedded) and owner.ole.get_type(embedded) == olefile.STGTY_STORAGE

    @property
    def size(self) -> int:
        """The attachment's bytes as its directory says (0 when it holds none)."""
        path = "/".join((*self.storage, f"__substg1.0_{ATTACH_DATA:04X}0102"))
        return self.owner.ole.get_size(path) if self.owner.ole.exists(path) else 0

    def data(self) -> bytes | None:
        return self.owner.binary(ATTACH_DATA, self.storage)

    def message(self) -> OutlookMessage:
        return OutlookMessage(self.owner.ole, self.owner.limits, (*self.storage, EMBEDDED))


def open_outlook(data: bytes) -> olefile.OleFileIO:
    """The compound file in ``data``, or ``TextRefused`` saying why it cannot be read."""
    try:
        if not data.startswith(OLE_MAGIC):
            raise ValueError("not a compound file (OLE2): its first bytes are not D0 CF 11 E0")
        return olefile.OleFileIO(io.BytesIO(data), raise_defects=olefile.DEFECT_INCORRECT)
    except OLE_ERRORS as error:
        raise TextRefused(message("text.msg_unreadable", reason=str(error) or type(error).__name__)) from error


def outlook_text(data: bytes, sink: Sink, budget: Budget) -> None:
    ole = open_outlook(data)
    try:
        _message_text(OutlookMessage(ole, budget.limits), sink, budget, 0)
    except TextRefused:  # a ValueError too: said as it is
        raise
    except OLE_ERRORS as error:
        raise TextRefused(message("text.msg_unreadable", reason=str(error) or type(error).__name__)) from error
    finally:
        ole.close()


def _message_text(mail: OutlookMessage, sink: Sink, budget: Budget, depth: int) -> None:
    """Headers, body and the attachments' names; a message attached is read in turn, as its own
    text is part of what the outer one says (its attachments become files of their own)."""
    if depth > budget.limits.max_depth:
        raise TextRefused(message("text.too_deep", limit=budget.limits.max_depth))
    sender = _named(mail.string(SENDER_NAME), mail.string(SENDER_SMTP) or mail.string(SENDER_ADDRESS))
    date = mail.date()
    headers = (
        ("From", sender),
        ("To", mail.recipients(TO)),
        ("Cc", mail.recipients(CC)),
        ("Subject", mail.string(SUBJECT)),
        ("Date", format_datetime(date) if date else ""),
    )
    for name, value in headers:
        if value:
            sink.add(f"{name}: {value}\n")
    sink.add("\n")
    _body(mail, sink)
    attachments = mail.attachments()
    if len(attachments) > budget.limits.max_parts:
        raise TextRefused(message("text.too_many_parts", limit=budget.limits.max_parts))
    if names := [attachment.name for attachment in attachments if attachment.name]:
        sink.add("\n\n" + "\n".join(names))
    for attachment in attachments:
        if attachment.is_message:
            if budget.spent:
                sink.findings.append(message("text.time_limit", seconds=int(budget.limits.max_seconds)))
                return
            sink.add("\n\n")
            _message_text(attachment.message(), sink, budget, depth + 1)


def _body(mail: OutlookMessage, sink: Sink) -> None:
    if body := mail.string(BODY):
        sink.add(body)
        return
    html = mail.binary(HTML)
    if html is None and (text := mail.string(HTML)):
        html = text.encode()
    if html:
        html_text(html, sink)
        return
    if rtf := mail.binary(RTF_COMPRESSED):
        try:
            sink.add(rtf_text(rtf_decompress(rtf, mail.limits.max_member_bytes), sink.max_chars))
        except RtfError as error:
            sink.findings.append(message("text.msg_rtf_unreadable", reason=str(error)))


def _named(name: str, address: str) -> str:
    if name and address and address.lower() not in name.lower():
        return f"{name} <{address}>"
    return name or address


def _fixed_properties(data: bytes | None, header: int) -> dict[int, object]:
    """The fixed-size properties the message keeps in one stream: 32-bit integers and times."""
    found: dict[int, object] = {}
    if not data:
        return found
    for offset in range(header, len(data) - 15, 16):
        tag, _flags, value = struct.unpack_from("<II8s", data, offset)
        kind, property_id = tag & 0xFFFF, tag >> 16
        if kind == 0x0003:  # PT_LONG
            found[property_id] = struct.unpack_from("<i", value)[0]
        elif kind == 0x0040:  # PT_SYSTIME: 100 ns since 1601
            ticks = struct.unpack_from("<Q", value)[0]
            try:
                found[property_id] = datetime(1601, 1, 1, tzinfo=UTC) + timedelta(microseconds=ticks // 10)
            except OverflowError:
                continue
    return found
