"""Benign Outlook messages (.msg, [MS-OXMSG]) written from scratch: the demo's USB key holds one, and
the tests write theirs with it. Only the properties Scellé reads are written (texts.outlook)."""

import struct
import zlib
from dataclasses import dataclass, field
from datetime import UTC, datetime

from evidence.ingest.archives.cfb import cfb_bytes
from texts.rtf import PREBUF

READABLE_WRITABLE = 0x6


@dataclass
class OutlookMail:
    subject: str
    sender: tuple[str, str]  # name, address
    to: list[tuple[str, str]]
    cc: list[tuple[str, str]] = field(default_factory=list)
    body: str = ""
    html: bytes = b""
    rtf: bytes = b""  # plain RTF, written compressed
    date: datetime = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
    attachments: list[tuple[str, bytes]] = field(default_factory=list)
    messages: list["OutlookMail"] = field(default_factory=list)  # attached as messages


def _string(property_id: int, text: str) -> tuple[str, bytes]:
    return f"__substg1.0_{property_id:04X}001F", text.encode("utf-16-le")


def _binary(property_id: int, data: bytes) -> tuple[str, bytes]:
    return f"__substg1.0_{property_id:04X}0102", data


def _fixed(header: bytes, entries: list[tuple[int, int, bytes]]) -> bytes:
    """A properties stream: its header, then (id, type, 8 value bytes) entries."""
    return header + b"".join(
        struct.pack("<II8s", (property_id << 16) | kind, READABLE_WRITABLE, value)
        for property_id, kind, value in entries
    )


def _filetime(moment: datetime) -> bytes:
    ticks = int((moment - datetime(1601, 1, 1, tzinfo=UTC)).total_seconds() * 10_000_000)
    return struct.pack("<Q", ticks)


def rtf_compressed(rtf: bytes) -> bytes:
    """``rtf`` as PR_RTF_COMPRESSED holds it ([MS-OXRTFCP]): literals only, then the end marker."""
    body = bytearray()
    tokens = [bytes([byte]) for byte in rtf]
    end = (len(PREBUF) + len(rtf)) & 0xFFF
    tokens.append(None)  # the end marker: a reference to the write position
    for start in range(0, len(tokens), 8):
        group = tokens[start : start + 8]
        body.append(sum(1 << bit for bit, token in enumerate(group) if token is None))
        for token in group:
            body += token if token is not None else struct.pack(">H", end << 4)
    crc = zlib.crc32(bytes(body), 0xFFFFFFFF) ^ 0xFFFFFFFF
    return struct.pack("<IIII", len(body) + 12, len(rtf), 0x75465A4C, crc) + bytes(body)


def _recipient(number: int, name: str, address: str, kind: int) -> tuple[str, dict]:
    return f"__recip_version1.0_#{number:08X}", dict(
        [
            ("__properties_version1.0", _fixed(b"\0" * 8, [(0x0C15, 0x0003, struct.pack("<i4x", kind))])),
            _string(0x3001, name),
            _string(0x39FE, address),
        ]
    )


def _message_tree(mail: OutlookMail, embedded: bool) -> dict:
    recipients = [(n, a, 1) for n, a in mail.to] + [(n, a, 2) for n, a in mail.cc]
    attached = len(mail.attachments) + len(mail.messages)
    header = struct.pack("<8xIIII", len(recipients), attached, len(recipients), attached)
    tree = dict(
        [
            (
                "__properties_version1.0",
                _fixed(
                    header if embedded else header + b"\0" * 8,
                    [
                        (0x0039, 0x0040, _filetime(mail.date)),
                    ],
                ),
            ),
            _string(0x0037, mail.subject),
            _string(0x0C1A, mail.sender[0]),
            _string(0x5D01, mail.sender[1]),
            _string(0x0E04, "; ".join(name for name, _ in mail.to)),
        ]
    )
    if mail.cc:
        tree.update([_string(0x0E03, "; ".join(name for name, _ in mail.cc))])
    if mail.body:
        tree.update([_string(0x1000, mail.body)])
    if mail.html:
        tree.update([_binary(0x1013, mail.html)])
    if mail.rtf:
        tree.update([_binary(0x1009, rtf_compressed(mail.rtf))])
    if not embedded:
        tree["__nameid_version1.0"] = {
            "__substg1.0_00020102": b"",
            "__substg1.0_00030102": b"",
            "__substg1.0_00040102": b"",
        }
    for number, (name, address, kind) in enumerate(recipients):
        key, storage = _recipient(number, name, address, kind)
        tree[key] = storage
    number = 0
    for name, data in mail.attachments:
        tree[f"__attach_version1.0_#{number:08X}"] = dict(
            [
                ("__properties_version1.0", _fixed(b"\0" * 8, [(0x3705, 0x0003, struct.pack("<i4x", 1))])),
                _string(0x3707, name),
                _string(0x3704, name[:12]),
                _binary(0x3701, data),
            ]
        )
        number += 1
    for inner in mail.messages:
        tree[f"__attach_version1.0_#{number:08X}"] = dict(
            [
                ("__properties_version1.0", _fixed(b"\0" * 8, [(0x3705, 0x0003, struct.pack("<i4x", 5))])),
                _string(0x3001, inner.subject),
                ("__substg1.0_3701000D", _message_tree(inner, embedded=True)),
            ]
        )
        number += 1
    return tree


def msg_bytes(mail: OutlookMail) -> bytes:
    """``mail`` as an Outlook .msg file."""
    return cfb_bytes(_message_tree(mail, embedded=False))
