"""Choosing a source on the evidence server: only inside the allowed roots (EVIDENCE_SOURCES) and,
for a dossier, only inside the folders granted to it (evidence.ingest.source_grants).

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


class NotGranted(OutsideSources):
    """Inside the roots, but outside every folder granted to the dossier: answered as if it were not there."""


def resolve_granted(roots: list[Path], root_index: int, relative: str, granted: list[Path]) -> Path:
    """Like ``resolve_source``, but only inside one of the ``granted`` folders (resolved, absolute).

    A path that leaves the roots by its name (``..``) raises OutsideSources; one inside the roots but
    outside every granted folder raises NotGranted, whether it exists or not, before the file system
    is asked anything, so that no answer tells what lies outside the grants. A link inside a granted
    folder is followed and must land inside a granted folder too.
    """
    if not 0 <= root_index < len(roots):
        raise OutsideSources("No such evidence source.")
    root = roots[root_index].resolve()
    named = Path(os.path.normpath(root / relative.lstrip("/")))
    if not _inside(named, root):
        raise OutsideSources("This path is outside the evidence sources this server allows.")
    if not any(_inside(named, folder) for folder in granted):
        raise NotGranted("No such file or folder.")
    candidate = named.resolve()
    if not _inside(candidate, root):
        raise OutsideSources("This path is outside the evidence sources this server allows.")
    if not any(_inside(candidate, folder) for folder in granted):
        raise NotGranted("No such file or folder.")
    if not candidate.exists():
        raise MissingSource("No such file or folder in the evidence source (is the storage mounted?).")
    return candidate


def _inside(path: Path, folder: Path) -> bool:
    return path == folder or path.is_relative_to(folder)


def canonical_folder(root: Path, relative: str) -> str:
    """``relative`` as a grant stores it: "/"-separated, under ``root``, with no ``.`` or ``..``.

    Raises OutsideSources if it is empty (the whole root), leaves the root, or passes through a link
    (a grant names a real folder, so that replacing a folder by a link cannot move a grant).
    Raises MissingSource if it is not an existing folder.
    """
    root = root.resolve()
    named = Path(os.path.normpath(root / relative.strip().lstrip("/")))
    if named == root or not named.is_relative_to(root):
        raise OutsideSources("A grant names a folder inside an evidence source, not the source itself.")
    if not named.is_dir():
        raise MissingSource("No such folder in the evidence source (is the storage mounted?).")
    if named.resolve() != named:
        raise OutsideSources("This folder is, or lies under, a link: grant the folder it points to.")
    return named.relative_to(root).as_posix()


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
