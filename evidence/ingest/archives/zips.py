"""Zip archives: read through their central directory, or, when a copy was cut short and has
none, forward from the members' local headers. Encrypted members (ZipCrypto, WinZip AES) are read
with the job's password."""

import struct
import zipfile
from collections.abc import Iterator
from datetime import datetime

import stream_unzip

from config.messages import Message, message
from evidence.ingest.archives.limits import Limits, hostile_name, likely_archive_bomb, likely_bomb, over_limits
from evidence.ingest.archives.members import MEMBER_ERRORS, Member, MemberContent, read_member, reason
from evidence.ingest.names import shown_name


def walk_zip(stream, shown, limits, report, outer, depth, compressed_size) -> Iterator[Member]:
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
            if over_limits(report, limits, shown):
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
            elif bomb := likely_bomb(info.file_size, info.compress_size, limits) or likely_archive_bomb(
                read_bytes + info.file_size, compressed_size, limits
            ):
                member.error = bomb
            elif report.passes_by(member.archive_path):  # its bytes not read: its central directory entry is enough
                report.total_bytes += info.file_size
                read_bytes += info.file_size
                continue
            elif encrypted:
                _read_encrypted_zip_member(member, stream, info, limits, report.password)
                report.total_bytes += member.size
                read_bytes += member.size
            else:
                try:
                    with archive.open(info) as member_stream:
                        read_member(member, member_stream, limits)
                except MEMBER_ERRORS as error:  # an unknown compression method, a damaged header
                    member.error = message("archive.member_unreadable", reason=reason(error))
                report.total_bytes += member.size
                read_bytes += member.size
            yield member


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
            if over_limits(report, limits, shown):
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
    content = MemberContent(limits)
    try:
        for block in data:
            content.feed(block)
            if content.size > limits.max_member_bytes or likely_archive_bomb(
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
    content = MemberContent(limits)
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


def _zip_time(date_time) -> datetime | None:
    """Zip times are local time without a zone: kept as naive, to be read in the examiner's zone."""
    try:
        return datetime(*date_time)
    except ValueError:
        return None
