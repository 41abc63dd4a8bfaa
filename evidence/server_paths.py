"""Choosing a source on the evidence server: only inside the allowed roots (EVIDENCE_SOURCES).

Plain Python: no Django here. Paths are resolved (links followed, ``..`` removed) before the
check, so neither a crafted path nor a link inside a root can lead outside it.
"""

import os
from dataclasses import dataclass
from pathlib import Path


class OutsideSources(ValueError):
    pass


class MissingSource(OutsideSources):
    """Inside the roots, but not there (or the root itself is not mounted)."""


@dataclass(frozen=True)
class Entry:
    name: str
    relative: str
    is_dir: bool
    size: int


def resolve_source(roots: list[Path], root_index: int, relative: str) -> Path:
    """The absolute path of ``relative`` under root number ``root_index``, or OutsideSources."""
    if not 0 <= root_index < len(roots):
        raise OutsideSources("No such evidence source.")
    root = roots[root_index].resolve()
    candidate = (root / relative.lstrip("/")).resolve()
    if candidate != root and not candidate.is_relative_to(root):
        raise OutsideSources("This path is outside the evidence sources this server allows.")
    if not candidate.exists():
        raise MissingSource("No such file or folder in the evidence source (is the storage mounted?).")
    return candidate


def list_directory(root: Path, folder: Path, limit: int = 1000) -> tuple[list[Entry], bool]:
    """The folder's entries, folders first, by name; and whether the listing was cut at ``limit``."""
    entries = []
    with os.scandir(folder) as scan:
        for item in scan:
            try:
                is_dir = item.is_dir(follow_symlinks=False)
                size = 0 if is_dir else item.stat(follow_symlinks=False).st_size
            except OSError:
                continue
            relative = str(Path(item.path).relative_to(root.resolve()))
            entries.append(Entry(item.name, relative, is_dir, size))
    entries.sort(key=lambda entry: (not entry.is_dir, entry.name.lower()))
    return entries[:limit], len(entries) > limit
