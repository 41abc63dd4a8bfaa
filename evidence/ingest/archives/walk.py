"""The walk of an archive: which reader opens it, and the archives nested in it, walked in turn.

Each reader (``zips``, ``tars``, ``sevenzip``) hands out the members of one archive; the walk
follows each member that is itself an archive, down to ``Limits.max_depth``.
"""

import io
from collections.abc import Iterator
from contextlib import closing
from typing import BinaryIO

from config.messages import message
from evidence.ingest.archives import sevenzip, tars, zips
from evidence.ingest.archives.limits import Limits
from evidence.ingest.archives.members import MEMBER_ERRORS, Member, WalkReport, reason

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
    # Looked up at each walk, in its module: a test may stand a broken reader in for one.
    reader = {"zip": zips.walk_zip, "7z": sevenzip.walk_7z}.get(kind, tars.walk_tar)
    try:
        with closing(reader(stream, shown, limits, report, outer or [], depth, max(compressed_size, 1))) as members:
            for member in members:
                yield member
                # The reader waits at this member (a 7z's extraction thread too) while it is walked.
                yield from _nested(member, limits, report, depth)
    except MEMBER_ERRORS as error:
        report.findings.append(message("archive.damaged", archive=shown, reason=reason(error)))


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
