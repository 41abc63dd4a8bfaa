"""7z archives: py7zr pushes members to writers from a thread; they are handed out one at a time,
hashed on the way, never written to disk. Hostile headers (huge dictionaries, bombs) are refused
before a byte is decoded."""

import queue
import threading
from collections.abc import Iterator
from datetime import UTC, datetime

import py7zr
import py7zr.exceptions
import py7zr.io

from config.messages import message
from evidence.ingest.archives.limits import Limits, hostile_name, likely_bomb, over_limits
from evidence.ingest.archives.members import MEMBER_ERRORS, Member, MemberContent, reason
from evidence.ingest.names import shown_text


class _Stopped(Exception):
    """The walk of a 7z was abandoned (the job was cancelled): its extraction thread stops."""


class _SevenZipWriter(py7zr.io.Py7zIO):
    """Where py7zr writes one member: hashed on the way, never written to disk."""

    def __init__(self, member: Member, limits: Limits, extraction: "_SevenZipExtraction") -> None:
        self.member, self.content, self.extraction = member, MemberContent(limits), extraction

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


def walk_7z(stream, shown, limits, report, outer, depth, compressed_size) -> Iterator[Member]:
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
        yield from _walk_7z_members(archive, shown, limits, report, outer, password)


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


def _sort_entries(archive, shown, limits, report, outer, password) -> tuple[list[Member], dict[int, Member], set[int]]:
    """The members refused from their headers alone (links, encrypted without a password, over a
    limit, a hostile dictionary or ratio), the ones wanted (py7zr's entry id -> member), and which
    of those the job's password must open."""
    from py7zr.compressor import SupportedMethods

    ratios = _folder_ratios(archive)
    refused: list[Member] = []
    wanted: dict[int, Member] = {}  # py7zr's entry id -> member
    encrypted: set[int] = set()  # id() of the wanted members that the job's password must open
    for entry in archive.files:
        if entry.is_directory:
            continue
        if over_limits(report, limits, shown):
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
        elif folder is not None and (bomb := likely_bomb(*ratios.get(id(folder), (0, 0)), limits)):
            member.error = bomb
        elif report.passes_by(member.archive_path):  # no writer: py7zr skips its folder, or decodes past it
            report.total_bytes += member.size
            continue
        else:
            wanted[entry.id] = member
            if folder is not None and SupportedMethods.needs_password(folder.coders):
                encrypted.add(id(member))
            report.total_bytes += member.size
            continue
        refused.append(member)
    return refused, wanted, encrypted


def _walk_7z_members(archive, shown, limits, report, outer, password) -> Iterator[Member]:
    refused, wanted, encrypted = _sort_entries(archive, shown, limits, report, outer, password)
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
