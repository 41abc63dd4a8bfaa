"""The limits an archive walk keeps (depth, members, sizes, ratio, buffer) and the member names that
would escape an extraction folder. Plain Python: no Django here."""

from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import TYPE_CHECKING

from config.messages import Message, message

if TYPE_CHECKING:
    from evidence.ingest.archives.members import WalkReport


@dataclass(frozen=True)
class Limits:
    max_depth: int = 3  # archives inside archives, the outermost being depth 1
    max_members: int = 100_000  # per archive
    max_member_bytes: int = 8 << 30
    max_total_bytes: int = 64 << 30  # uncompressed, per outermost archive
    max_ratio: int = 200  # uncompressed / compressed, beyond which a member is a likely bomb
    max_buffer_bytes: int = 256 << 20  # a nested archive or an image kept in memory


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


def over_limits(report: "WalkReport", limits: Limits, shown: str) -> bool:
    if report.members >= limits.max_members:
        report.findings.append(message("archive.member_limit", archive=shown, members=limits.max_members))
        return True
    if report.total_bytes >= limits.max_total_bytes:
        report.findings.append(message("archive.total_limit", archive=shown, bytes=report.total_bytes))
        return True
    return False


def likely_bomb(size: int, compressed: int, limits: Limits) -> Message | str:
    ratio = size / compressed if compressed else 0
    if ratio > limits.max_ratio and size > (1 << 20):
        return message("archive.bomb", ratio=round(ratio), limit=limits.max_ratio)
    return ""


def likely_archive_bomb(read_bytes: int, compressed_size: int, limits: Limits) -> Message | str:
    """The whole archive's ratio so far: members each under the limit can add up over it."""
    if bomb := likely_bomb(read_bytes, compressed_size, limits):
        return message("archive.whole_bomb", reason=bomb)
    return ""
