"""Listing what an ingest job reads: a file, or a folder tree. Plain Python: no Django here.

Sources are opened read-only where they lie; archives found among them are walked by
``evidence.archives``, streamed, never extracted to disk.
"""

import base64
import dataclasses
import os
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

from evidence import disk_images

READ_ERRORS = (OSError, RuntimeError, EOFError, ValueError)


@dataclass(frozen=True, slots=True)
class FoundFile:
    path: str  # as shown to the investigator, relative to the source
    source_path: str  # what to open
    size: int = 0
    error: str = ""  # why it cannot be read, found while listing
    inode: int | None = None
    modified: datetime | None = None
    accessed: datetime | None = None
    expand: str = ""  # "image": a disk image whose file systems are to be listed too


# File names on seized media need not be UTF-8, and a database text column takes nothing else:
# such a path is stored as "b64:" + base64 of its bytes, and shown with replacement characters.
B64 = "b64:"


def stored_path(path: str) -> str:
    raw = os.fsencode(path)
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return B64 + base64.b64encode(raw).decode("ascii")


def real_path(stored: str) -> bytes | str:
    return base64.b64decode(stored[len(B64) :]) if stored.startswith(B64) else stored


def printable(name: str) -> str:
    return os.fsencode(name).decode("utf-8", errors="replace")


# An upload kept in the object store (EVIDENCE_STORAGE=s3) is named "stored:<key>"; evidence.store
# opens it. Everything else is a path on this host.
STORED = "stored:"


def open_source(path: bytes | str):
    """Open a source for reading: a path, or an object of the store."""
    if isinstance(path, str) and path.startswith(STORED):
        from evidence.store import open_stored  # Django settings are needed only for the object store

        return open_stored(path[len(STORED) :])
    return open(path, "rb")


def video_input(path: bytes | str):
    """What PyAV opens: the path itself (it reads the file where it lies), or the stored object."""
    return open_source(path) if isinstance(path, str) and path.startswith(STORED) else os.fsdecode(path)


def list_file(path: str, display_name: str) -> Iterator[FoundFile]:
    """One file; a disk image (by content) is also marked to have its file systems listed."""
    if path.startswith(STORED):
        from evidence.store import stored_size

        found = FoundFile(printable(display_name), path, size=stored_size(path[len(STORED) :]))
    else:
        found = _found(path, display_name, os.stat(path))
    with open_source(path) as stream:
        if disk_images.image_to_expand(stream.read(disk_images.HEAD_BYTES)):
            found = dataclasses.replace(found, expand="image")
    yield found


def list_folder(path: str, display_name: str) -> Iterator[FoundFile]:
    """Every regular file below ``path``, in a stable order; links are reported, not followed."""
    for directory, subdirectories, files in os.walk(path, followlinks=False):
        subdirectories.sort()
        relative = os.path.relpath(directory, path)
        for name in [d for d in subdirectories if os.path.islink(os.path.join(directory, d))]:
            shown = printable("/".join(part for part in (display_name, relative, name) if part and part != "."))
            yield FoundFile(
                shown, stored_path(os.path.join(directory, name)), error="symbolic link to a folder, not followed"
            )
        for name in sorted(files):
            full = os.path.join(directory, name)
            shown = printable("/".join(part for part in (display_name, relative, name) if part and part != "."))
            try:
                info = os.lstat(full)
            except OSError as error:
                yield FoundFile(shown, stored_path(full), error=f"unreadable: {error.strerror}")
                continue
            if stat.S_ISLNK(info.st_mode):
                yield FoundFile(shown, stored_path(full), error=f"symbolic link to {os.readlink(full)!r}, not followed")
            elif not stat.S_ISREG(info.st_mode):
                yield FoundFile(shown, stored_path(full), error="not a regular file (device, FIFO or socket)")
            else:
                yield _found(full, shown, info)


LISTERS = {"file": list_file, "folder": list_folder}


def _found(full: str, shown: str, info: os.stat_result) -> FoundFile:
    return FoundFile(
        printable(shown),
        stored_path(full),
        size=info.st_size,
        inode=info.st_ino,
        modified=datetime.fromtimestamp(info.st_mtime, UTC),
        accessed=datetime.fromtimestamp(info.st_atime, UTC),
    )
