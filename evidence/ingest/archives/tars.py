"""Tar archives, any compression, read forward in stream mode."""

import tarfile
from collections.abc import Iterator
from datetime import UTC, datetime

from config.messages import message
from evidence.ingest.archives.limits import hostile_name, likely_archive_bomb, likely_bomb, over_limits
from evidence.ingest.archives.members import Member, read_member
from evidence.ingest.names import shown_text


def walk_tar(stream, shown, limits, report, outer, depth, compressed_size) -> Iterator[Member]:
    plain = stream.read(262)[257:262] == b"ustar"
    stream.seek(0)
    # Stream mode ("r|*") reads forward only: no seeking back through a compressed file.
    read_bytes = 0
    with tarfile.open(fileobj=stream, mode="r|*") as archive:
        for info in archive:
            if info.isdir():
                continue
            if over_limits(report, limits, shown):
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
            elif bomb := likely_bomb(info.size, compressed_size, limits) or likely_archive_bomb(
                read_bytes + info.size, compressed_size, limits
            ):
                member.error = bomb
            elif report.passes_by(member.archive_path):  # tarfile goes past its bytes unhashed
                report.total_bytes += info.size
                read_bytes += info.size
                continue
            else:
                member_stream = archive.extractfile(info)
                read_member(member, member_stream, limits)
                report.total_bytes += member.size
                read_bytes += member.size
            yield member
        # An uncompressed tar ends with two zero blocks; a cut one just stops, and tarfile takes
        # the cut for the end: say so rather than lose the rest in silence.
        if plain and compressed_size - archive.offset < 1024:
            report.findings.append(message("archive.tar_truncated", archive=shown))
