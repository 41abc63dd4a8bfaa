"""The walk of a container: which reader opens it, and the containers nested in it, walked in turn.

Each reader (``zips``, ``tars``, ``sevenzip``, and ``mails`` for e-mail's attachments) hands out the
members of one container; the walk follows each member that is itself a container, down to
``Limits.max_depth``. ``container_kind`` is the one rule that says what a file is a container of.
"""

import io
from collections.abc import Iterator
from contextlib import closing
from typing import BinaryIO

from config.messages import message
from evidence.ingest import filetypes
from evidence.ingest.archives import mails, sevenzip, tars, zips
from evidence.ingest.archives.limits import Limits
from evidence.ingest.archives.members import MEMBER_ERRORS, Member, WalkReport, reason
from texts.extraction import MAIL_KINDS, text_kind

SEVEN_ZIP_MAGIC = b"7z\xbc\xaf\x27\x1c"


def archive_kind(head: bytes) -> str:
    """'zip', '7z', 'tar' (possibly compressed) or '' from the first bytes of a file."""
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return "zip"
    if head.startswith(SEVEN_ZIP_MAGIC):
        return "7z"
    if head.startswith((b"\x1f\x8b", b"BZh", b"\xfd7zXZ\x00")) or head[257:262] == b"ustar":
        return "tar"
    return ""


def container_kind(head: bytes, mime: str, name: str, content: "bytes | bytearray | None" = None) -> str:
    """What the file is a container of: an archive by its first bytes ('zip', '7z', 'tar'), or an
    e-mail by its type and name ('mail', 'mbox', 'msg': an .eml or a mailbox has no magic), one that
    may hold attachments (``mails.holds_attachments``, from its whole ``content`` when known); ''."""
    if kind := archive_kind(head):
        return kind
    kind = text_kind(mime, name)
    if kind in MAIL_KINDS and mails.holds_attachments(kind, content):
        return kind
    return ""


def walk(
    stream: BinaryIO,
    kind: str,
    shown: str,
    limits: Limits,
    report: WalkReport,
    compressed_size: int,
    outer: list[str] | None = None,
    depth: int = 1,
) -> Iterator[Member]:
    """Every member of the container in ``stream`` (seekable for zip), nested ones included.

    ``compressed_size`` is the archive's own size in bytes, against which a tar member's declared
    size gives its compression ratio (a zip member carries its own).
    """
    # Looked up at each walk, in its module: a test may stand a broken reader in for one.
    readers = {
        "zip": zips.walk_zip,
        "7z": sevenzip.walk_7z,
        "mail": mails.walk_eml,
        "mbox": mails.walk_mbox,
        "msg": mails.walk_msg,
    }
    reader = readers.get(kind, tars.walk_tar)
    try:
        with closing(reader(stream, shown, limits, report, outer or [], depth, max(compressed_size, 1))) as members:
            for member in members:
                if member.digests is not None and member.head:
                    member.mime = filetypes.mime_of(member.head)  # typed once: its row and the walk use it
                yield member
                # The reader waits at this member (a 7z's extraction thread too) while it is walked.
                yield from _nested(member, limits, report, depth)
    except MEMBER_ERRORS as error:
        report.findings.append(message("archive.damaged", archive=shown, reason=reason(error)))


def _nested(member: Member, limits: Limits, report: WalkReport, depth: int) -> Iterator[Member]:
    if member.error or member.digests is None:
        return
    kind = container_kind(member.head, member.mime, member.path, member.content)
    if not kind:
        return
    if depth >= limits.max_depth:
        member.findings.append(message("archive.nested_depth", depth=limits.max_depth))
        return
    if member.content is None:
        member.findings.append(message("archive.nested_too_large"))
        return
    yield from walk(
        io.BytesIO(member.content),
        kind,
        member.path,
        limits,
        report,
        len(member.content),
        member.archive_path,
        depth + 1,
    )
