"""A member of an archive as the walk hands it out, what the walk reports about the archive as a
whole, and the reading of one member's bytes (hashed in one read, never written to disk)."""

import hashlib
import lzma
import tarfile
import zipfile
import zlib
from dataclasses import dataclass, field
from datetime import datetime
from typing import BinaryIO

import py7zr.exceptions

from config.messages import Message, message
from evidence.ingest.archives.limits import Limits
from hashing.hashers import ALGORITHMS

# What a damaged or exotic member can raise while being read: never fatal to the walk.
MEMBER_ERRORS = (
    zipfile.BadZipFile,
    tarfile.TarError,
    EOFError,
    OSError,
    RuntimeError,
    ValueError,
    NotImplementedError,
    zlib.error,
    lzma.LZMAError,
    py7zr.exceptions.ArchiveError,
    py7zr.exceptions.PasswordRequired,
)

SNIFF_BYTES = 8192


@dataclass
class Member:
    path: str  # shown to the investigator: "<archive path>/<member name>"
    archive_path: list[str]  # member names from the outermost archive down to this member
    size: int = 0
    modified: datetime | None = None
    digests: dict[str, bytes] | None = None
    head: bytes = b""
    mime: str = ""  # its type, once known (libmagic)
    content: bytes | None = None  # kept when small enough to decode (images) or walk (archives)
    error: Message | str = ""  # the content could not be read: why (config.messages)
    findings: list[Message] = field(default_factory=list)  # read, but something is worth knowing


@dataclass
class WalkReport:
    """What happened to an archive as a whole (limits reached), for the archive's own record."""

    findings: list[Message] = field(default_factory=list)
    members: int = 0
    total_bytes: int = 0
    # The password the investigator gave for this job's encrypted archives, tried on each of them.
    # Never printed (repr) nor stored: it lives as long as the walk.
    password: bytes | None = field(default=None, repr=False)
    # A member read again after the ingest (``archive_reading.members_again``): the archive paths
    # (tuples) asked for and every container on their way. Each reader passes the others by as far
    # as its format allows (zip, tar, 7z: their declared sizes counted as read, so that the limits
    # fall where they fell at ingest; e-mail: attachments not hashed, a mailbox's messages without
    # any asked not parsed). None at ingest: every member is read.
    only: frozenset | None = None

    def passes_by(self, archive_path: list[str]) -> bool:
        return self.only is not None and tuple(archive_path) not in self.only

    def asked_in(self, outer: list[str]) -> set[str] | None:
        """The names asked directly inside the container at ``outer`` (None: every one is)."""
        if self.only is None:
            return None
        depth, outer_path = len(outer), tuple(outer)
        return {path[depth] for path in self.only if len(path) > depth and path[:depth] == outer_path}


class MemberContent:
    """Fed the member's bytes block by block: hashes them, keeps the first bytes and, if small, all."""

    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self.hashers = [hashlib.new(name) for name in ALGORITHMS]
        self.size = 0
        self.head = bytearray()
        self.kept: bytearray | None = bytearray()

    def feed(self, block: bytes) -> None:
        self.size += len(block)
        for hasher in self.hashers:
            hasher.update(block)
        if len(self.head) < SNIFF_BYTES:
            self.head.extend(block[: SNIFF_BYTES - len(self.head)])
        if self.kept is not None:
            if len(self.kept) + len(block) > self.limits.max_buffer_bytes:
                self.kept = None
            else:
                self.kept.extend(block)

    def finish(self, member: Member) -> None:
        member.digests = {name: hasher.digest() for name, hasher in zip(ALGORITHMS, self.hashers, strict=True)}
        member.size, member.head = self.size, bytes(self.head)
        member.content = bytes(self.kept) if self.kept is not None else None


def reason(error: BaseException) -> Message | str:
    """An exception in words: its library's own text (kept untranslated), or, when the library
    raised with an empty message, what its kind says."""
    text = str(error).strip()
    if text:
        return text
    if isinstance(error, EOFError):
        return message("archive.reason_eof")
    return message("archive.reason_no_detail", kind=type(error).__name__)


def read_member(member: Member, stream: BinaryIO, limits: Limits) -> None:
    """Hash the member in one read, keeping its first bytes and, if small, its content."""
    content = MemberContent(limits)
    try:
        while block := stream.read(1 << 20):
            content.feed(block)
    except MEMBER_ERRORS as error:
        member.error = message("archive.member_unreadable", reason=reason(error))
        return
    content.finish(member)
