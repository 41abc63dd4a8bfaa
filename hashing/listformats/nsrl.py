"""NIST NSRL RDS v3: a SQLite database whose FILE table lists known software files. No Django here.

Opened read-only through a ``file:...?mode=ro`` URI so an import can never write to (or create)
the database it reads. Upper-case hex digests; each row gives a SHA-256, a SHA-1 and an MD5
entry. Entries carry the FILE row number as their ``line``.
"""

import sqlite3
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path
from typing import BinaryIO

from config.messages import message
from hashing.listformats.base import Entry, FormatError, Malformed, digest_from_text

COLUMNS = ("sha256", "sha1", "md5")


def open_read_only(path: str | Path) -> sqlite3.Connection:
    return sqlite3.connect(f"{Path(path).resolve().as_uri()}?mode=ro", uri=True)


def nsrl_row_count(path: str | Path) -> int:
    """The rows of the FILE table; FormatError (one line, no traceback) for a SQLite file that is not NSRL."""
    try:
        with closing(open_read_only(path)) as connection:
            return connection.execute("SELECT count(*) FROM FILE").fetchone()[0]
    except sqlite3.DatabaseError as error:
        raise FormatError(message("list.not_nsrl", reason=str(error))) from None


def parse_nsrl(stream: BinaryIO, **_options) -> Iterator[Entry | Malformed]:
    """``stream`` is the open database file; only its path is used."""
    try:
        connection = open_read_only(stream.name)
        rows = connection.execute("SELECT sha256, sha1, md5, file_name, file_size, package_id FROM FILE")
    except sqlite3.DatabaseError as error:
        raise FormatError(message("list.not_nsrl", reason=str(error))) from None
    try:
        for number, (*digests, file_name, file_size, package_id) in enumerate(rows, start=1):
            name = str(file_name or "")[:255]
            extra = {"file_size": file_size, "package_id": package_id}
            values = [
                (column, digest_from_text(column, text or "")) for column, text in zip(COLUMNS, digests, strict=True)
            ]
            problems = [value for _, value in values if not isinstance(value, bytes)]
            if problems:
                yield Malformed(number, message("list.nsrl_row", row=str(number), reason=problems[0]))
                continue
            for column, value in values:
                yield Entry(number, column, value, name, extra=extra)
    finally:
        connection.close()
