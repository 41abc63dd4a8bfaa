"""Walking archives found in evidence: zip and tar (any compression), nested, streamed.

Plain Python: no Django here. Nothing is ever extracted to disk: each member is read once, its
digests computed on the way, and a nested archive is kept in memory (up to a limit) to be walked
in turn. Every member becomes a ``Member``, even the ones that cannot be read: a bomb, a link, an
encrypted member or a hostile name is reported with its reason, never skipped in silence, and
never stops the walk of the rest.
"""

import io
import lzma
import tarfile
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import PurePosixPath
from typing import BinaryIO

from hashing.hashers import ALGORITHMS, digest_stream

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
)

SNIFF_BYTES = 8192


@dataclass(frozen=True)
class Limits:
    max_depth: int = 3  # archives inside archives, the outermost being depth 1
    max_members: int = 100_000  # per archive
    max_member_bytes: int = 8 << 30
    max_total_bytes: int = 64 << 30  # uncompressed, per outermost archive
    max_ratio: int = 200  # uncompressed / compressed, beyond which a member is a likely bomb
    max_buffer_bytes: int = 256 << 20  # a nested archive or an image kept in memory


@dataclass
class Member:
    path: str  # shown to the investigator: "<archive path>/<member name>"
    archive_path: list[str]  # member names from the outermost archive down to this member
    size: int = 0
    modified: datetime | None = None
    digests: dict[str, bytes] | None = None
    head: bytes = b""
    content: bytes | None = None  # kept when small enough to decode (images) or walk (archives)
    error: str = ""  # the content could not be read: why
    findings: list[str] = field(default_factory=list)  # read, but something is worth knowing


@dataclass
class WalkReport:
    """What happened to an archive as a whole (limits reached), for the archive's own record."""

    findings: list[str] = field(default_factory=list)
    members: int = 0
    total_bytes: int = 0


def archive_kind(head: bytes) -> str:
    """'zip', 'tar' (possibly compressed) or '' from the first bytes of a file."""
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return "zip"
    if head.startswith((b"\x1f\x8b", b"BZh", b"\xfd7zXZ\x00")) or head[257:262] == b"ustar":
        return "tar"
    return ""


def hostile_name(name: str) -> str:
    """Why a member name would escape an extraction folder, or ''."""
    path = PurePosixPath(name.replace("\\", "/"))
    if path.is_absolute() or (len(name) > 1 and name[1] == ":"):
        return f"absolute member name {name!r}"
    if ".." in path.parts:
        return f"path traversal in member name {name!r}"
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
    """Every member of the archive in ``stream`` (seekable for zip), nested archives included.

    ``compressed_size`` is the archive's own size in bytes, against which a tar member's declared
    size gives its compression ratio (a zip member carries its own).
    """
    walker = _walk_zip if kind == "zip" else _walk_tar
    try:
        yield from walker(stream, shown, limits, report, outer or [], depth, max(compressed_size, 1))
    except MEMBER_ERRORS as error:
        report.findings.append(f"{shown}: archive damaged or truncated, walk stopped: {error}")


def _read_member(member: Member, stream: BinaryIO, limits: Limits) -> None:
    """Hash the member in one read, keeping its first bytes and, if small, its content."""
    head = bytearray()
    kept = bytearray()
    state = {"keep": True}

    def on_block(block: bytes) -> None:
        if len(head) < SNIFF_BYTES:
            head.extend(block[: SNIFF_BYTES - len(head)])
        if state["keep"]:
            if len(kept) + len(block) > limits.max_buffer_bytes:
                state["keep"] = False
                kept.clear()
            else:
                kept.extend(block)

    try:
        digests, size = digest_stream(stream, ALGORITHMS, on_block=on_block)
    except MEMBER_ERRORS as error:
        member.error = f"unreadable member: {error}"
        return
    member.digests, member.size, member.head = digests, size, bytes(head)
    member.content = bytes(kept) if state["keep"] else None


def _nested(member: Member, limits: Limits, report: WalkReport, depth: int) -> Iterator[Member]:
    kind = archive_kind(member.head)
    if not kind or member.error:
        return
    if depth >= limits.max_depth:
        member.findings.append(f"archive inside an archive not expanded: depth limit of {limits.max_depth} reached")
        return
    if member.content is None:
        member.findings.append("archive inside an archive not expanded: larger than the in-memory limit")
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


def _over_limits(report: WalkReport, limits: Limits, shown: str) -> bool:
    if report.members >= limits.max_members:
        report.findings.append(f"{shown}: expansion stopped after {limits.max_members:,} members (member limit)")
        return True
    if report.total_bytes >= limits.max_total_bytes:
        report.findings.append(f"{shown}: expansion stopped after {report.total_bytes:,} bytes (total size limit)")
        return True
    return False


def _bomb(size: int, compressed: int, limits: Limits) -> str:
    ratio = size / compressed if compressed else 0
    if ratio > limits.max_ratio and size > (1 << 20):
        return (
            f"compression ratio {ratio:,.0f}:1 is over the limit of {limits.max_ratio}:1 "
            "(likely a decompression bomb): not expanded"
        )
    return ""


def _walk_zip(stream, shown, limits, report, outer, depth, compressed_size) -> Iterator[Member]:
    with zipfile.ZipFile(stream) as archive:
        for info in archive.infolist():
            if info.is_dir():
                continue
            if _over_limits(report, limits, shown):
                return
            report.members += 1
            member = Member(
                path=f"{shown}/{info.filename}",
                archive_path=[*outer, info.filename],
                size=info.file_size,
                modified=_zip_time(info.date_time),
            )
            if problem := hostile_name(info.filename):
                member.findings.append(problem)
            if info.flag_bits & 0x1:
                member.error = "encrypted archive member: content not readable without the password"
            elif info.file_size > limits.max_member_bytes:
                member.error = f"member of {info.file_size:,} bytes is over the limit of {limits.max_member_bytes:,}"
            elif bomb := _bomb(info.file_size, info.compress_size, limits):
                member.error = bomb
            else:
                try:
                    with archive.open(info) as member_stream:
                        _read_member(member, member_stream, limits)
                except MEMBER_ERRORS as error:  # an unknown compression method, a damaged header
                    member.error = f"unreadable member: {error}"
                report.total_bytes += member.size
            yield member
            yield from _nested(member, limits, report, depth)


def _walk_tar(stream, shown, limits, report, outer, depth, compressed_size) -> Iterator[Member]:
    plain = stream.read(262)[257:262] == b"ustar"
    stream.seek(0)
    # Stream mode ("r|*") reads forward only: no seeking back through a compressed file.
    with tarfile.open(fileobj=stream, mode="r|*") as archive:
        for info in archive:
            if info.isdir():
                continue
            if _over_limits(report, limits, shown):
                return
            report.members += 1
            member = Member(
                path=f"{shown}/{info.name}",
                archive_path=[*outer, info.name],
                size=info.size,
                modified=datetime.fromtimestamp(info.mtime, UTC) if info.mtime else None,
            )
            if problem := hostile_name(info.name):
                member.findings.append(problem)
            if info.issym():
                member.error = f"symbolic link to {info.linkname!r}: no content, not followed"
            elif info.islnk():
                member.error = f"hard link to {info.linkname!r}: no content of its own"
            elif not info.isreg():
                member.error = "device, FIFO or special entry: no content"
            elif info.size > limits.max_member_bytes:
                member.error = f"member of {info.size:,} bytes is over the limit of {limits.max_member_bytes:,}"
            elif bomb := _bomb(info.size, compressed_size, limits):
                member.error = bomb
            else:
                member_stream = archive.extractfile(info)
                _read_member(member, member_stream, limits)
                report.total_bytes += member.size
            yield member
            yield from _nested(member, limits, report, depth)
        # An uncompressed tar ends with two zero blocks; a cut one just stops, and tarfile takes
        # the cut for the end: say so rather than lose the rest in silence.
        if plain and compressed_size - archive.offset < 1024:
            report.findings.append(f"{shown}: the archive ends without its end-of-archive blocks (truncated?)")


def _zip_time(date_time) -> datetime | None:
    """Zip times are local time without a zone: kept as naive, to be read in the examiner's zone."""
    try:
        return datetime(*date_time)
    except ValueError:
        return None
