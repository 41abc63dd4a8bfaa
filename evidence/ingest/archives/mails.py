"""E-mail as containers: each attachment of an .eml, of each message of an .mbox, or of an Outlook .msg
becomes a member, a file of its own, child of its message; a message attached to a message is a
member that is walked in turn (``walk``), as an archive inside an archive.

The message's own text (headers, body, the attachments' names) stays the mail file's text
(texts.mail, texts.mbox, texts.outlook). Which parts are attachments is texts.mail's rule
(``attachments_of``); the members keep the limits of archives (count, size, total, depth).
A mailbox is read message by message, never whole; an .eml or a .msg is parsed in memory, up to
``Limits.max_buffer_bytes``.
"""

import base64
import binascii
import io
import mimetypes
import quopri
import re
from collections.abc import Iterator
from email import message_from_bytes, policy
from email.errors import MessageError as EmailError

from config.messages import Message, message
from evidence.ingest.archives.cfb import cfb_bytes
from evidence.ingest.archives.limits import Limits, hostile_name, over_limits
from evidence.ingest.archives.members import Member, WalkReport, read_member, reason
from evidence.ingest.names import shown_text
from texts.limits import Limits as TextLimits
from texts.limits import TextRefused
from texts.mail import attachments_of
from texts.mbox import SEPARATOR
from texts.outlook import OLE_ERRORS, OutlookAttachment, OutlookMessage, open_outlook

# What the e-mail parser raises on a hostile message (its own errors are mostly kept as defects).
MAIL_ERRORS = (EmailError, LookupError, ValueError, TypeError, AttributeError, UnicodeError, RecursionError)
# A multipart message: the only kind that holds attachments besides its body (a message that is one
# file, with no body, is rare and read too when its file is walked).
MULTIPART = re.compile(rb"^content-type:[ \t]*(multipart/|[\"']?multipart/)", re.IGNORECASE | re.MULTILINE)
OUTLOOK_ATTACHMENT = "__attach_version1.0_#".encode("utf-16-le")


def holds_attachments(kind: str, content: "bytes | bytearray | None") -> bool:
    """Whether an e-mail file of ``kind`` ("mail", "mbox", "msg") is worth walking for attachments.

    From its whole ``content`` when the worker kept it (None: too large to keep, walked anyway):
    a message that is not multipart holds none, and a .msg names each attachment's storage in its
    directory. Spares a walk (a batch of the job) for each of the many e-mails without attachment.
    """
    if content is None:
        return True
    if kind == "msg":
        return OUTLOOK_ATTACHMENT in content
    return MULTIPART.search(content) is not None


def _parsed(data: bytes):
    return message_from_bytes(data, policy=policy.default)


def _read_whole(stream, limits: Limits, report: WalkReport, shown: str) -> bytes | None:
    data = stream.read(limits.max_buffer_bytes + 1)
    if len(data) > limits.max_buffer_bytes:
        report.findings.append(message("archive.mail_too_large", archive=shown, limit=limits.max_buffer_bytes))
        return None
    return data


def walk_eml(stream, shown, limits, report, outer, depth, compressed_size) -> Iterator[Member]:
    data = _read_whole(stream, limits, report, shown)
    if data is None:
        return
    try:
        mail = _parsed(data)
        yield from _attachments(mail, shown, "", limits, report, outer)
    except MAIL_ERRORS as error:
        report.findings.append(message("archive.mail_unreadable", archive=shown, reason=reason(error)))


def walk_mbox(stream, shown, limits, report, outer, depth, compressed_size) -> Iterator[Member]:
    """Each message of the mailbox in turn: its attachments named ``message-<n>/<name>``. Read
    again for some members only (``WalkReport.only``), the messages that hold none are split off
    but not parsed: fewer members counted before an asked one, so no limit falls sooner than at ingest."""
    asked = report.asked_in(outer)
    messages = None if asked is None else {name.split("/", 1)[0] for name in asked}
    for number, data in enumerate(_mbox_messages(stream, limits.max_buffer_bytes), start=1):
        if messages is not None and f"message-{number}" not in messages:
            continue
        if data is None:
            report.findings.append(
                message("archive.mbox_message_too_large", archive=shown, number=number, limit=limits.max_buffer_bytes)
            )
            continue
        if not MULTIPART.search(data):
            continue
        try:
            mail = _parsed(data)
            yield from _attachments(mail, shown, f"message-{number}/", limits, report, outer)
        except MAIL_ERRORS as error:
            report.findings.append(
                message("archive.mbox_message_unreadable", archive=shown, number=number, reason=reason(error))
            )
        if over_limits(report, limits, shown):
            return


def _mbox_messages(stream, max_bytes: int) -> Iterator[bytes | None]:
    """The messages of a mailbox, split on the "From " lines that start them, read block by block;
    None for a message longer than ``max_bytes`` (its bytes are not kept). As texts.mbox reads them:
    what stands before the first "From " line is a message only in a file that has none."""
    current: list[bytes] = []
    size, separated = 0, False
    for line in _lines(stream, max_bytes):
        if SEPARATOR.match(line):
            if separated:
                yield b"".join(current) if size <= max_bytes else None
            current, size, separated = [], 0, True
            continue
        size += len(line)
        if size <= max_bytes:
            current.append(line)
        else:
            current = []
    if separated or size:
        yield b"".join(current) if size <= max_bytes else None


def _lines(stream, max_bytes: int) -> Iterator[bytes]:
    """The lines of ``stream``, each with its line end; a line longer than ``max_bytes`` comes in pieces."""
    pending = b""
    while block := stream.read(1 << 20):
        pending += block
        *whole, pending = pending.split(b"\n")
        for line in whole:
            yield line + b"\n"
        if len(pending) > max_bytes:  # a line that never ends: counted, not kept whole
            yield pending
            pending = b""
    if pending:
        yield pending


def _attachments(mail, shown: str, prefix: str, limits: Limits, report: WalkReport, outer) -> Iterator[Member]:
    for number, part in enumerate(attachments_of(mail), start=1):
        if over_limits(report, limits, shown):
            return
        report.members += 1
        name = _name_of(part, number)
        member = Member(path=f"{shown}/{prefix}{name}", archive_path=[*outer, f"{prefix}{name}"])
        if problem := hostile_name(name):
            member.findings.append(problem)
        data, error = _part_bytes(part, limits)
        if error:
            member.error = error
        elif report.passes_by(member.archive_path):  # decoded to count its size, not hashed
            report.total_bytes += len(data)
            continue
        else:
            if part.get_content_type() == "message/rfc822":
                member.findings.append(message("archive.mail_message_written_back"))
            read_member(member, io.BytesIO(data), limits)
            report.total_bytes += member.size
        yield member


def _name_of(part, number: int) -> str:
    name = shown_text(part.get_filename() or "").strip()
    if name:
        return name
    if part.get_content_type() == "message/rfc822":
        return f"attachment-{number}.eml"
    extension = mimetypes.guess_extension(part.get_content_type()) or ".bin"
    return f"attachment-{number}{extension}"


def _part_bytes(part, limits: Limits) -> tuple[bytes, Message | str]:
    """An attachment's decoded bytes, or why they are not read: its size is judged from its encoded
    form before anything is decoded (base64 decodes to three quarters of it)."""
    if part.get_content_type() == "message/rfc822":
        inner = part.get_payload()
        inner = inner[0] if isinstance(inner, list) and inner else inner
        if not hasattr(inner, "as_bytes"):
            return b"", message("archive.member_unreadable", reason="empty attached message")
        linesep = "\r\n" if "\r\n" in str(part)[:4096] else "\n"
        # The attached message as the parser read it, written back without refolding its headers.
        data = inner.as_bytes(policy=inner.policy.clone(max_line_length=None, linesep=linesep))
        encoding = part.get("Content-Transfer-Encoding", "").strip().lower()
        if encoding in ("base64", "quoted-printable"):
            # Encoded, as RFC 2046 forbids and some mailers do: the parser read the encoded text as
            # a message without headers; the message is what it decodes to.
            if len(data) * 3 // 4 > limits.max_member_bytes:
                return b"", message("archive.member_too_large", size=len(data) * 3 // 4, limit=limits.max_member_bytes)
            try:
                data = base64.b64decode(data) if encoding == "base64" else quopri.decodestring(data)
            except binascii.Error as error:
                return b"", message("archive.member_unreadable", reason=reason(error))
    else:
        encoded = part.get_payload()
        encoded_size = len(encoded) if isinstance(encoded, (str, bytes)) else 0
        if part.get("Content-Transfer-Encoding", "").strip().lower() == "base64":
            encoded_size = encoded_size * 3 // 4
        if encoded_size > limits.max_member_bytes:
            return b"", message("archive.member_too_large", size=encoded_size, limit=limits.max_member_bytes)
        data = part.get_payload(decode=True) or b""
    if len(data) > limits.max_member_bytes:
        return b"", message("archive.member_too_large", size=len(data), limit=limits.max_member_bytes)
    return data, ""


def walk_msg(stream, shown, limits, report, outer, depth, compressed_size) -> Iterator[Member]:
    data = _read_whole(stream, limits, report, shown)
    if data is None:
        return
    try:
        ole = open_outlook(data)
    except TextRefused as refusal:
        report.findings.append(message("archive.mail_unreadable", archive=shown, reason=refusal.message))
        return
    try:
        text_limits = TextLimits(max_member_bytes=limits.max_member_bytes)
        outlook = OutlookMessage(ole, text_limits)
        for attachment in outlook.attachments():
            if over_limits(report, limits, shown):
                return
            report.members += 1
            member = _outlook_member(attachment, shown, limits, report, outer)
            if member is not None:
                yield member
    except (TextRefused, *OLE_ERRORS) as error:
        why = error.message if isinstance(error, TextRefused) else reason(error)
        report.findings.append(message("archive.mail_unreadable", archive=shown, reason=why))
    finally:
        ole.close()


def _outlook_member(attachment: OutlookAttachment, shown, limits: Limits, report: WalkReport, outer) -> Member | None:
    """The attachment as a member, hashed; None when it is passed by (``WalkReport.only``)."""
    number = int(attachment.storage[-1].rsplit("#", 1)[-1] or "0", 16) + 1
    name = shown_text(attachment.name).strip() or f"attachment-{number}{'.msg' if attachment.is_message else '.bin'}"
    if attachment.is_message and not name.lower().endswith(".msg"):
        name += ".msg"
    member = Member(path=f"{shown}/{name}", archive_path=[*outer, name])
    if problem := hostile_name(name):
        member.findings.append(problem)
    try:
        if attachment.is_message:
            data = _rebuilt_message(attachment, limits)
            member.findings.append(message("archive.msg_message_rebuilt"))
        elif attachment.size > limits.max_member_bytes:
            member.error = message("archive.member_too_large", size=attachment.size, limit=limits.max_member_bytes)
            return member
        else:
            data = attachment.data()
            if data is None:
                member.error = message("archive.msg_attachment_without_data")
                return member
    except (TextRefused, *OLE_ERRORS) as error:
        why = error.message if isinstance(error, TextRefused) else reason(error)
        member.error = message("archive.member_unreadable", reason=why)
        return member
    if report.passes_by(member.archive_path):
        report.total_bytes += len(data)
        return None
    read_member(member, io.BytesIO(data), limits)
    report.total_bytes += member.size
    return member


def _rebuilt_message(attachment: OutlookAttachment, limits: Limits) -> bytes:
    """A message attached to a .msg as a .msg file of its own: the streams of its storage copied into
    a new compound file (with the outer file's named properties), its properties' header lengthened
    from an embedded message's 24 bytes to a file's 32. Nothing of the message is changed."""
    ole, storage = attachment.owner.ole, (*attachment.storage, "__substg1.0_3701000D")
    tree: dict = {}
    total = 0
    for path in ole.listdir(streams=True, storages=False):
        inside = path[: len(storage)] == list(storage)
        named = path[0] == "__nameid_version1.0"
        if not (inside or named):
            continue
        relative = path[len(storage) :] if inside else path
        total += ole.get_size("/".join(path))
        if total > limits.max_member_bytes:
            raise TextRefused(message("archive.member_too_large", size=total, limit=limits.max_member_bytes))
        folder = tree
        for part in relative[:-1]:
            folder = folder.setdefault(part, {})
        folder[relative[-1]] = ole.openstream("/".join(path)).read()
    properties = tree.get("__properties_version1.0", b"")
    if len(properties) >= 24:
        tree["__properties_version1.0"] = properties[:24] + b"\0" * 8 + properties[24:]
    return cfb_bytes(tree)
