"""Listing and opening what an ingest job reads. Plain Python: no Django here.

Sources are opened read-only and never extracted to disk: a zip member is streamed from the
archive itself.
"""

import os
import stat
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO

READ_ERRORS = (OSError, zipfile.BadZipFile, zipfile.LargeZipFile, RuntimeError, EOFError, ValueError)


@dataclass(frozen=True, slots=True)
class FoundFile:
    path: str  # as shown to the investigator, relative to the source
    source_path: str  # what to open
    member: str = ""  # the member's name when the file sits in a zip archive
    size: int = 0
    error: str = ""  # why it cannot be read, found while listing


def is_zip(path: str) -> bool:
    with open(path, "rb") as stream:
        return stream.read(4) in (b"PK\x03\x04", b"PK\x05\x06")


def list_file(path: str, display_name: str) -> Iterator[FoundFile]:
    yield FoundFile(display_name, path, size=os.stat(path).st_size)


def list_zip(path: str, display_name: str) -> Iterator[FoundFile]:
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
    except READ_ERRORS as error:
        yield FoundFile(display_name, path, size=os.stat(path).st_size, error=f"corrupt archive: {error}")
        return
    for member in members:
        if member.is_dir():
            continue
        shown = f"{display_name}/{member.filename}"
        if member.flag_bits & 0x1:
            yield FoundFile(shown, path, member.filename, member.file_size, error="encrypted archive member")
        else:
            yield FoundFile(shown, path, member.filename, member.file_size)


def list_folder(path: str, display_name: str) -> Iterator[FoundFile]:
    """Every regular file below ``path``, in a stable order; links are reported, not followed."""
    for directory, subdirectories, files in os.walk(path, followlinks=False):
        subdirectories.sort()
        relative = os.path.relpath(directory, path)
        for name in sorted(files):
            full = os.path.join(directory, name)
            shown = "/".join(part for part in (display_name, relative, name) if part and part != ".")
            try:
                info = os.lstat(full)
            except OSError as error:
                yield FoundFile(shown, full, error=f"unreadable: {error.strerror}")
                continue
            if stat.S_ISLNK(info.st_mode):
                yield FoundFile(shown, full, error="symbolic link, not followed")
            elif not stat.S_ISREG(info.st_mode):
                yield FoundFile(shown, full, error="not a regular file")
            else:
                yield FoundFile(shown, full, size=info.st_size)


LISTERS = {"file": list_file, "zip": list_zip, "folder": list_folder}


class Opener:
    """Opens files for one batch, keeping each zip archive open across its members."""

    def __init__(self) -> None:
        self._archives: dict[str, zipfile.ZipFile] = {}

    def open(self, source_path: str, member: str = "") -> BinaryIO:
        if not member:
            return open(source_path, "rb")
        archive = self._archives.get(source_path)
        if archive is None:
            archive = self._archives[source_path] = zipfile.ZipFile(source_path)
        return archive.open(member)

    def close(self) -> None:
        for archive in self._archives.values():
            archive.close()
        self._archives.clear()

    def __enter__(self) -> "Opener":
        return self

    def __exit__(self, *exc) -> None:
        self.close()
