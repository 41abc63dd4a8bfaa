"""Listing what an ingest job reads: a file, or a folder tree. Plain Python: no Django here.

Sources are opened read-only where they lie; archives found among them are walked by
``evidence.ingest.archives``, streamed, never extracted to disk.
"""

import base64
import dataclasses
import errno
import os
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

from config.messages import Message, message
from config.store import open_stored, stored_size
from evidence.ingest import disk_images
from evidence.ingest.names import name_bytes, shown_name

__all__ = ["name_bytes", "shown_name"]  # names as shown: evidence.ingest.names

READ_ERRORS = (OSError, RuntimeError, EOFError, ValueError)


@dataclass(frozen=True, slots=True)
class FoundFile:
    path: str  # as shown to the investigator, relative to the source
    source_path: str  # what to open
    size: int = 0
    error: Message | str = ""  # why it cannot be read, found while listing (config.messages)
    inode: int | None = None
    modified: datetime | None = None
    accessed: datetime | None = None
    expand: str = ""  # "image": a disk image whose file systems are to be listed too


# File names on seized media need not be UTF-8, and a database text column takes nothing else:
# such a path is stored as "b64:" + base64 of its bytes, and shown with its bytes escaped.
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
    """A name read from the file system (str, surrogate-escaped where it was not UTF-8), as shown."""
    return shown_name(os.fsencode(name))


# An upload kept in the object store (EVIDENCE_STORAGE=s3) is named "stored:<key>"; config.store
# opens it. Everything else is a path on this host.
STORED = "stored:"


def open_source(path: bytes | str):
    """Open a source for reading: a path (of any length), or an object of the store."""
    if isinstance(path, str) and path.startswith(STORED):
        return open_stored(path[len(STORED) :])
    try:
        return open(path, "rb")
    except OSError as error:
        if error.errno != errno.ENAMETOOLONG:
            raise
    return os.fdopen(_open_deep(os.fsencode(path)), "rb")


def video_input(path: bytes | str):
    """What PyAV opens: the path itself (it reads the file where it lies), or the stored object or
    a path too long for the system (past PATH_MAX) as an open file."""
    if isinstance(path, str) and path.startswith(STORED) or len(os.fsencode(path)) >= PATH_MAX:
        return open_source(path)
    return os.fsdecode(path)


def list_file(path: str, display_name: str) -> Iterator[FoundFile]:
    """One file; a disk image (by content) is also marked to have its file systems listed."""
    if path.startswith(STORED):
        found = FoundFile(printable(display_name), path, size=stored_size(path[len(STORED) :]))
    else:
        found = _found(path, printable(display_name), os.stat(path))
    with open_source(path) as stream:
        if disk_images.image_to_expand(stream.read(disk_images.HEAD_BYTES)):
            found = dataclasses.replace(found, expand="image")
    yield found


def list_folder(path: str, display_name: str) -> Iterator[FoundFile]:
    """Every regular file below ``path``, in a stable order (a folder's files by name, then its
    sub-folders by name); links are reported, not followed.

    Each folder is opened relative to its parent's descriptor, so depth is not bounded by PATH_MAX
    (4,096 bytes: ``os.walk`` skipped deeper folders without a word). A folder that cannot be
    opened or listed is reported as an error with its reason, never skipped in silence. One
    descriptor is held per level of depth, and the walk keeps no recursion.
    """

    def shown(parts: tuple[str, ...]) -> str:
        return printable("/".join(part for part in (display_name, *parts) if part and part != "."))

    def full(parts: tuple[str, ...]) -> str:
        return os.path.join(path, *parts)

    root = os.open(path, FOLDER_FLAGS & ~os.O_NOFOLLOW)  # the source itself, as chosen (a link included)
    stack: list[tuple[int, tuple[str, ...], Iterator[str]]] = []
    try:
        folders = yield from _folder_files(root, (), shown, full)
        stack.append((root, (), iter(folders)))
    except BaseException:
        os.close(root)
        raise
    try:
        while stack:
            descriptor, parts, folders = stack[-1]
            name = next(folders, None)
            if name is None:
                os.close(descriptor)
                stack.pop()
                continue
            inner = (*parts, name)
            try:
                child = os.open(name, FOLDER_FLAGS, dir_fd=descriptor)
            except OSError as error:
                yield FoundFile(shown(inner), stored_path(full(inner)), error=_folder_error(error))
                continue
            try:
                subfolders = yield from _folder_files(child, inner, shown, full)
            except OSError as error:
                os.close(child)
                yield FoundFile(shown(inner), stored_path(full(inner)), error=_folder_error(error))
                continue
            except BaseException:  # the listing closed early: no descriptor is left open
                os.close(child)
                raise
            stack.append((child, inner, iter(subfolders)))
    finally:
        for descriptor, _parts, _folders in stack:
            os.close(descriptor)


FOLDER_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC
PATH_MAX = 4096  # Linux's limit on a path given to a system call, terminating NUL included


def _folder_error(error: OSError) -> Message:
    return message("file.folder_unreadable", reason=error.strerror or str(error))


def _folder_files(descriptor: int, parts: tuple[str, ...], shown, full):
    """Yield the files of one open folder (and its links to folders, as errors); return the names
    of its sub-folders, sorted. Raise OSError, before yielding anything, if it cannot be listed."""
    with os.scandir(descriptor) as entries:
        listed = sorted(entries, key=lambda entry: entry.name)
    folders, linked, files = [], [], []
    for entry in listed:
        try:
            is_link = entry.is_symlink()
            is_folder = entry.is_dir()  # follows a link: a link to a folder is named as such
        except OSError:
            is_link, is_folder = False, False
        (linked if is_link and is_folder else folders if is_folder else files).append(entry.name)
    for name in linked:
        yield FoundFile(shown((*parts, name)), stored_path(full((*parts, name))), error=LINKED_FOLDER)
    for name in files:
        inner = (*parts, name)
        try:
            info = os.stat(name, dir_fd=descriptor, follow_symlinks=False)
        except OSError as error:
            yield FoundFile(
                shown(inner), stored_path(full(inner)), error=message("file.unreadable", reason=error.strerror)
            )
            continue
        if stat.S_ISLNK(info.st_mode):
            try:
                link = message("file.symlink_to", target=os.readlink(name, dir_fd=descriptor))
            except OSError:
                link = message("file.symlink")
            yield FoundFile(shown(inner), stored_path(full(inner)), error=link)
        elif not stat.S_ISREG(info.st_mode):
            yield FoundFile(shown(inner), stored_path(full(inner)), error=message("file.not_regular"))
        else:
            yield _found(full(inner), shown(inner), info)
    return folders


LINKED_FOLDER = message("file.linked_folder")


def _open_deep(path: bytes) -> int:
    """Open a file whose path is too long for one system call, a folder at a time, each relative
    to its parent's descriptor; links on the way are refused, as the listing did not follow them."""
    folder, _, name = path.rpartition(b"/")
    descriptor = os.open(b"/" if path.startswith(b"/") else b".", FOLDER_FLAGS)
    try:
        for part in folder.split(b"/"):
            if part:
                inner = os.open(part, FOLDER_FLAGS, dir_fd=descriptor)
                os.close(descriptor)
                descriptor = inner
        return os.open(name, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC, dir_fd=descriptor)
    finally:
        os.close(descriptor)


LISTERS = {"file": list_file, "folder": list_folder}


def _found(full: str, shown: str, info: os.stat_result) -> FoundFile:
    return FoundFile(
        shown,
        stored_path(full),
        size=info.st_size,
        inode=info.st_ino,
        modified=datetime.fromtimestamp(info.st_mtime, UTC),
        accessed=datetime.fromtimestamp(info.st_atime, UTC),
    )
