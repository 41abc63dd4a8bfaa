"""Walking archives found in evidence: zip, tar (any compression) and 7z, nested, streamed.

Plain Python: no Django here. Nothing is ever extracted to disk: each member is read once, its
digests computed on the way, and a nested archive is kept in memory (up to a limit) to be walked
in turn. Every member becomes a ``Member``, even the ones that cannot be read: a bomb, a link, an
encrypted member or a hostile name is reported with its reason, never skipped in silence, and
never stops the walk of the rest.
"""

import hashlib
import io
import lzma
import queue
import struct
import tarfile
import threading
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import PurePosixPath
from typing import BinaryIO

import py7zr
import py7zr.exceptions
import py7zr.io
import stream_unzip

from config.messages import Message, message
from evidence.ingest.names import shown_name, shown_text
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

SEVEN_ZIP_MAGIC = b"7z\xbc\xaf\x27\x1c"

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


def archive_kind(head: bytes) -> str:
    """'zip', '7z', 'tar' (possibly compressed) or '' from the first bytes of a file."""
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return "zip"
    if head.startswith(SEVEN_ZIP_MAGIC):
        return "7z"
    if head.startswith((b"\x1f\x8b", b"BZh", b"\xfd7zXZ\x00")) or head[257:262] == b"ustar":
        return "tar"
    return ""


def hostile_name(name: str) -> Message | str:
    """Why a member name would escape an extraction folder, or ''."""
    path = PurePosixPath(name.replace("\\", "/"))
    if path.is_absolute() or (len(name) > 1 and name[1] == ":"):
        return message("archive.name_absolute", name=name)
    # "ok/../fine.txt" stays inside; only a name that climbs above its own root escapes.
    depth = 0
    for part in path.parts:
        depth += -1 if part == ".." else 0 if part == "." else 1
        if depth < 0:
            return message("archive.name_traversal", name=name)
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
    walker = {"zip": _walk_zip, "7z": _walk_7z}.get(kind, _walk_tar)
    try:
        yield from walker(stream, shown, limits, report, outer or [], depth, max(compressed_size, 1))
    except MEMBER_ERRORS as error:
        report.findings.append(message("archive.damaged", archive=shown, reason=reason(error)))


class _MemberContent:
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


def _read_member(member: Member, stream: BinaryIO, limits: Limits) -> None:
    """Hash the member in one read, keeping its first bytes and, if small, its content."""
    content = _MemberContent(limits)
    try:
        while block := stream.read(1 << 20):
            content.feed(block)
    except MEMBER_ERRORS as error:
        member.error = message("archive.member_unreadable", reason=reason(error))
        return
    content.finish(member)


def _nested(member: Member, limits: Limits, report: WalkReport, depth: int) -> Iterator[Member]:
    kind = archive_kind(member.head)
    if not kind or member.error:
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


def _over_limits(report: WalkReport, limits: Limits, shown: str) -> bool:
    if report.members >= limits.max_members:
        report.findings.append(message("archive.member_limit", archive=shown, members=limits.max_members))
        return True
    if report.total_bytes >= limits.max_total_bytes:
        report.findings.append(message("archive.total_limit", archive=shown, bytes=report.total_bytes))
        return True
    return False


def _bomb(size: int, compressed: int, limits: Limits) -> Message | str:
    ratio = size / compressed if compressed else 0
    if ratio > limits.max_ratio and size > (1 << 20):
        return message("archive.bomb", ratio=round(ratio), limit=limits.max_ratio)
    return ""


def _walk_zip(stream, shown, limits, report, outer, depth, compressed_size) -> Iterator[Member]:
    try:
        archive = zipfile.ZipFile(stream)
    except zipfile.BadZipFile as error:
        # No central directory (a copy cut short): its complete members still stand behind their
        # local headers, read forward as a streaming unzip would.
        yield from _walk_zip_forward(stream, shown, limits, report, outer, depth, compressed_size, error)
        return
    with archive:
        overlapping = _overlapping(archive, stream)
        if overlapping:
            report.findings.append(message("archive.overlapping", archive=shown, count=len(overlapping)))
        read_bytes = 0  # declared sizes of the members read, against the archive's own size
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
            encrypted = bool(info.flag_bits & 0x1)
            if id(info) in overlapping:
                member.error = message("archive.member_overlaps")
            elif encrypted and report.password is None:
                member.error = message("archive.member_encrypted")
            elif info.file_size > limits.max_member_bytes:
                member.error = message("archive.member_too_large", size=info.file_size, limit=limits.max_member_bytes)
            elif bomb := _bomb(info.file_size, info.compress_size, limits) or _archive_bomb(
                read_bytes + info.file_size, compressed_size, limits
            ):
                member.error = bomb
            elif encrypted:
                _read_encrypted_zip_member(member, stream, info, limits, report.password)
                report.total_bytes += member.size
                read_bytes += member.size
            else:
                try:
                    with archive.open(info) as member_stream:
                        _read_member(member, member_stream, limits)
                except MEMBER_ERRORS as error:  # an unknown compression method, a damaged header
                    member.error = message("archive.member_unreadable", reason=reason(error))
                report.total_bytes += member.size
                read_bytes += member.size
            yield member
            yield from _nested(member, limits, report, depth)


def _archive_bomb(read_bytes: int, compressed_size: int, limits: Limits) -> Message | str:
    """The whole archive's ratio so far: members each under the limit can add up over it."""
    if bomb := _bomb(read_bytes, compressed_size, limits):
        return message("archive.whole_bomb", reason=bomb)
    return ""


def _overlapping(archive: zipfile.ZipFile, stream) -> set[int]:
    """id() of the entries whose data starts inside an earlier entry's (as ``unzip`` refuses them).

    Fifty entries pointing at one 200 MB member each pass the ratio check (65:1) yet expand to 10 GB:
    only the first entry to hold those bytes is read.
    """
    extents = []
    for order, info in enumerate(archive.infolist()):
        stream.seek(info.header_offset)
        header = stream.read(30)
        if len(header) < 30 or header[:4] != b"PK\x03\x04":
            continue  # zipfile reports that entry itself when it is opened
        name_length, extra_length = struct.unpack("<HH", header[26:30])
        end = info.header_offset + 30 + name_length + extra_length + info.compress_size
        extents.append((info.header_offset, order, end, id(info)))
    extents.sort()  # by offset, then directory order: the first entry to claim the bytes keeps them
    overlapping, reached = set(), 0
    for start, _order, end, key in extents:
        if start < reached:
            overlapping.add(key)
        else:
            reached = end
    return overlapping


def _walk_zip_forward(stream, shown, limits, report, outer, depth, compressed_size, why) -> Iterator[Member]:
    """The members of a zip without its central directory, read from their local headers in order.

    Each member's bytes must be read before the next header is found, so a member that cannot be
    read to its end (cut, encrypted without the password, over a limit) ends the walk.
    """
    stream.seek(0)

    def chunks():
        while block := stream.read(1 << 20):
            yield block

    recovered, read_bytes, then = 0, 0, None
    members = stream_unzip.stream_unzip(chunks(), password=report.password)
    try:
        for raw_name, _size, data in members:
            name = shown_name(raw_name)
            if name.endswith("/"):
                for _ in data:
                    pass
                continue
            if _over_limits(report, limits, shown):
                return
            report.members += 1
            member = Member(path=f"{shown}/{name}", archive_path=[*outer, name])
            if problem := hostile_name(name):
                member.findings.append(problem)
            if error := _read_forward(member, data, limits, read_bytes, compressed_size):
                then = {"code": "archive.no_central_directory_stopped_at", "name": name, "then": error}
                yield member
                break
            member.findings.append(message("archive.member_from_local_header"))
            read_bytes += member.size
            report.total_bytes += member.size
            recovered += 1
            yield member
            yield from _nested(member, limits, report, depth)
    except (stream_unzip.UnzipError, *MEMBER_ERRORS) as error:
        if isinstance(error, stream_unzip.TruncatedDataError):
            then = {"code": "archive.no_central_directory_cut"}
        else:
            then = {"code": "archive.no_central_directory_then", "then": reason(error)}
    finally:
        members.close()
    said = {"archive": shown, "reason": reason(why), "count": recovered}
    if then is None:
        report.findings.append(message("archive.no_central_directory", **said))
    else:
        report.findings.append(message(then.pop("code"), **said, **then))


def _read_forward(member: Member, data, limits: Limits, read_bytes: int, compressed_size: int) -> Message | str:
    """Hash one member from a forward read; on failure set its error and return why the walk stops."""
    content = _MemberContent(limits)
    try:
        for block in data:
            content.feed(block)
            if content.size > limits.max_member_bytes or _archive_bomb(
                read_bytes + content.size, compressed_size, limits
            ):
                member.error = message(
                    "archive.forward_over_limit", limit=limits.max_member_bytes, ratio=limits.max_ratio
                )
                return member.error
    except (stream_unzip.UnzipError, *MEMBER_ERRORS) as error:
        member.error = message("archive.member_unreadable", reason=_forward_reason(error))
        return member.error
    content.finish(member)
    return ""


def _forward_reason(error: BaseException) -> Message | str:
    if isinstance(error, stream_unzip.MissingPasswordError):
        return message("archive.member_encrypted")
    if isinstance(error, stream_unzip.IncorrectPasswordError):
        return message("archive.member_wrong_password")
    if isinstance(error, stream_unzip.TruncatedDataError):
        return message("archive.forward_truncated")
    return reason(error)


def _read_encrypted_zip_member(member: Member, stream, info: zipfile.ZipInfo, limits: Limits, password: bytes) -> None:
    """Decrypt (ZipCrypto or WinZip AES) and hash one member with stream-unzip, from its local header on.

    The stdlib reads no AES. stream-unzip reads forward from the member's local header; only that
    member's bytes are read, and the stream is left for zipfile to seek elsewhere.
    """

    def chunks():
        stream.seek(info.header_offset)
        while block := stream.read(1 << 20):
            yield block

    members = stream_unzip.stream_unzip(chunks(), password=password)
    content = _MemberContent(limits)
    try:
        _name, _size, data = next(members)
        for block in data:
            content.feed(block)
            if content.size > info.file_size:
                member.error = message("archive.member_longer", size=info.file_size)
                return
    except (stream_unzip.IncorrectAESPasswordError, stream_unzip.IncorrectZipCryptoPasswordError):
        member.error = message("archive.member_wrong_password")
        return
    except (stream_unzip.UnzipError, StopIteration, *MEMBER_ERRORS) as error:
        member.error = message("archive.encrypted_member_unreadable", reason=repr(error))
        return
    finally:
        members.close()
    content.finish(member)
    member.findings.append(message("archive.member_decrypted"))


def _walk_tar(stream, shown, limits, report, outer, depth, compressed_size) -> Iterator[Member]:
    plain = stream.read(262)[257:262] == b"ustar"
    stream.seek(0)
    # Stream mode ("r|*") reads forward only: no seeking back through a compressed file.
    read_bytes = 0
    with tarfile.open(fileobj=stream, mode="r|*") as archive:
        for info in archive:
            if info.isdir():
                continue
            if _over_limits(report, limits, shown):
                return
            report.members += 1
            name = shown_text(info.name)  # tarfile keeps bytes that are not UTF-8 as surrogates
            member = Member(
                path=f"{shown}/{name}",
                archive_path=[*outer, name],
                size=info.size,
                modified=datetime.fromtimestamp(info.mtime, UTC) if info.mtime else None,
            )
            if problem := hostile_name(info.name):
                member.findings.append(problem)
            if info.issym():
                member.error = message("archive.symlink_to", target=info.linkname)
            elif info.islnk():
                member.error = message("archive.hardlink_to", target=info.linkname)
            elif not info.isreg():
                member.error = message("archive.special_entry")
            elif info.size > limits.max_member_bytes:
                member.error = message("archive.member_too_large", size=info.size, limit=limits.max_member_bytes)
            elif bomb := _bomb(info.size, compressed_size, limits) or _archive_bomb(
                read_bytes + info.size, compressed_size, limits
            ):
                member.error = bomb
            else:
                member_stream = archive.extractfile(info)
                _read_member(member, member_stream, limits)
                report.total_bytes += member.size
                read_bytes += member.size
            yield member
            yield from _nested(member, limits, report, depth)
        # An uncompressed tar ends with two zero blocks; a cut one just stops, and tarfile takes
        # the cut for the end: say so rather than lose the rest in silence.
        if plain and compressed_size - archive.offset < 1024:
            report.findings.append(message("archive.tar_truncated", archive=shown))


class _Stopped(Exception):
    """The walk of a 7z was abandoned (the job was cancelled): its extraction thread stops."""


class _SevenZipWriter(py7zr.io.Py7zIO):
    """Where py7zr writes one member: hashed on the way, never written to disk."""

    def __init__(self, member: Member, limits: Limits, extraction: "_SevenZipExtraction") -> None:
        self.member, self.content, self.extraction = member, _MemberContent(limits), extraction

    def write(self, s) -> int:
        if self.extraction.stop.is_set():
            raise _Stopped
        self.content.feed(bytes(s))
        return len(s)

    def read(self, size=None) -> bytes:
        return b""

    def seek(self, offset: int, whence: int = 0) -> int:
        return 0

    def flush(self) -> None:
        pass

    def size(self) -> int:
        return self.content.size

    def close(self) -> None:
        self.content.finish(self.member)
        self.extraction.finished(self.member)


class _SevenZipFactory(py7zr.io.WriterFactory):
    def __init__(self, writer: _SevenZipWriter) -> None:
        self.writer = writer

    def create(self, filename: str) -> py7zr.io.Py7zIO:
        return self.writer


class _SevenZipExtraction:
    """py7zr pushes members to writers; this turns the push into members handed out one by one.

    The extraction runs in a thread with a queue of one member, so only one decoded member is held
    in memory at a time, whatever the size of the archive. py7zr checks a member's CRC after its
    writer is closed: a member is handed out only once the next one starts, or the extraction ends.
    """

    def __init__(self, archive: py7zr.SevenZipFile) -> None:
        self.archive = archive
        self.members: queue.Queue = queue.Queue(maxsize=1)
        self.stop = threading.Event()
        self.pending: Member | None = None
        self.thread = threading.Thread(target=self._run, daemon=True)

    def finished(self, member: Member) -> None:
        self._hand_out()
        self.pending = member

    def _hand_out(self) -> None:
        if self.pending is not None:
            self.members.put(("member", self.pending))
            self.pending = None

    def _run(self) -> None:
        try:
            self.archive.worker.extract(self.archive.fp, None, parallel=False)
        except _Stopped:
            self.pending = None
        except MEMBER_ERRORS as error:
            if self.pending is not None:  # its CRC check failed, or the next member is damaged
                if isinstance(error, py7zr.exceptions.CrcError):
                    self.pending.error = message("archive.crc_mismatch", reason=str(error))
                    self.pending.digests = self.pending.content = None
                self._hand_out()
            self.members.put(("error", error))
            return
        self._hand_out()
        self.members.put(("done", None))

    def __iter__(self) -> Iterator[tuple[str, object]]:
        self.thread.start()
        try:
            while True:
                kind, value = self.members.get()
                yield kind, value
                if kind != "member":
                    return
        finally:
            self.stop.set()
            while self.thread.is_alive():  # unblock a thread waiting to hand out a member
                try:
                    self.members.get(timeout=0.1)
                except queue.Empty:
                    pass
            self.thread.join()


def _walk_7z(stream, shown, limits, report, outer, depth, compressed_size) -> Iterator[Member]:
    password = report.password.decode("utf-8", errors="replace") if report.password is not None else None
    try:
        archive = py7zr.SevenZipFile(stream, mode="r", max_extract_size=limits.max_total_bytes, password=password)
    except py7zr.exceptions.PasswordRequired:
        report.findings.append(message("archive.7z_header_encrypted", archive=shown))
        return
    except (TypeError, KeyError, IndexError, *MEMBER_ERRORS) as error:
        if password is None:
            raise
        # py7zr decrypts the header with a wrong password into garbage, then fails to parse it
        # (a TypeError, "Unknown field"): the password is the likely cause, not damage.
        report.findings.append(message("archive.7z_header_wrong_password", archive=shown, reason=reason(error)))
        return
    with archive:
        yield from _walk_7z_members(archive, shown, limits, report, outer, depth, password)


def _dictionary_bytes(folder) -> int:
    """The largest LZMA/LZMA2 dictionary the folder's coders declare: what decoding it allocates."""
    largest = 0
    for coder in folder.coders or []:
        properties = coder.get("properties") or b""
        if coder.get("method") == b"\x21" and len(properties) >= 1:  # LZMA2
            bits = min(properties[0], 40)
            largest = max(largest, 0xFFFFFFFF if bits == 40 else (2 | (bits & 1)) << (bits // 2 + 11))
        elif coder.get("method") == b"\x03\x01\x01" and len(properties) >= 5:  # LZMA
            largest = max(largest, int.from_bytes(properties[1:5], "little"))
    return largest


def _folder_ratios(archive: py7zr.SevenZipFile) -> dict[int, tuple[int, int]]:
    """id(folder) -> (bytes it unpacks to, its packed bytes): 7z compresses folders, not files."""
    streams = getattr(archive.header, "main_streams", None)
    if streams is None or streams.unpackinfo is None:
        return {}
    positions = streams.packinfo.packpositions
    ratios = {}
    for index, folder in enumerate(streams.unpackinfo.folders):
        packed = positions[index + 1] - positions[index] if index + 1 < len(positions) else 0
        unpacked = sum(f.uncompressed or 0 for f in (folder.files or []))
        ratios[id(folder)] = (unpacked, packed)
    return ratios


def _walk_7z_members(archive, shown, limits, report, outer, depth, password) -> Iterator[Member]:
    from py7zr.compressor import SupportedMethods

    ratios = _folder_ratios(archive)
    refused: list[Member] = []
    wanted: dict[int, Member] = {}  # py7zr's entry id -> member
    encrypted: set[int] = set()  # id() of the wanted members that the job's password must open
    for entry in archive.files:
        if entry.is_directory:
            continue
        if _over_limits(report, limits, shown):
            break
        report.members += 1
        modified = entry.lastwritetime
        name = shown_text(entry.filename)  # UTF-16 in the archive: a lone surrogate is possible
        member = Member(
            path=f"{shown}/{name}",
            archive_path=[*outer, name],
            size=entry.uncompressed or 0,
            modified=datetime.fromtimestamp(modified.totimestamp(), UTC) if modified else None,
        )
        if problem := hostile_name(entry.filename):
            member.findings.append(problem)
        folder = entry.folder
        if entry.is_symlink or entry.is_junction:
            member.error = message("archive.symlink")
        elif entry.is_socket:
            member.error = message("archive.special_entry")
        elif folder is not None and SupportedMethods.needs_password(folder.coders) and password is None:
            member.error = message("archive.member_encrypted")
        elif member.size > limits.max_member_bytes:
            member.error = message("archive.member_too_large", size=member.size, limit=limits.max_member_bytes)
        elif folder is not None and (dictionary := _dictionary_bytes(folder)) > max(limits.max_buffer_bytes, 1 << 20):
            # A hostile header can ask the decoder for a dictionary of gigabytes before a byte is read.
            member.error = message("archive.dictionary_too_large", size=dictionary, limit=limits.max_buffer_bytes)
        elif folder is not None and (bomb := _bomb(*ratios.get(id(folder), (0, 0)), limits)):
            member.error = bomb
        else:
            wanted[entry.id] = member
            if folder is not None and SupportedMethods.needs_password(folder.coders):
                encrypted.add(id(member))
            report.total_bytes += member.size
            continue
        refused.append(member)
    yield from refused
    if not wanted:
        return
    extraction = _SevenZipExtraction(archive)
    for entry in archive.files:
        # An entry not wanted is skipped, or only decoded to reach the next one in a solid folder.
        member = wanted.get(entry.id)
        writer = _SevenZipWriter(member, limits, extraction) if member else None
        archive.worker.register_filelike(
            entry.id, py7zr.io.MemIO(entry.filename, _SevenZipFactory(writer)) if writer else None
        )
    archive.worker.max_extract_size = limits.max_total_bytes
    handed_out = set()
    for kind, value in extraction:
        if kind == "member":
            handed_out.add(id(value))
            yield value
            yield from _nested(value, limits, report, depth)
        elif kind == "error":
            if encrypted and not handed_out:
                report.findings.append(message("archive.7z_wrong_password", archive=shown, reason=reason(value)))
            else:
                report.findings.append(message("archive.damaged", archive=shown, reason=reason(value)))
    for member in wanted.values():
        if id(member) not in handed_out:
            if id(member) in encrypted:
                # A wrong key decrypts to garbage that the decompressor then refuses.
                unread = message("archive.member_wrong_password_or_damaged")
            else:
                unread = message("archive.damaged_before_member")
            member.error = member.error or unread
            yield member


def _zip_time(date_time) -> datetime | None:
    """Zip times are local time without a zone: kept as naive, to be read in the examiner's zone."""
    try:
        return datetime(*date_time)
    except ValueError:
        return None
