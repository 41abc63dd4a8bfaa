"""Parsers for hash-list files, one module per family of formats. Plain Python: no Django here.

Every parser takes the open binary file (iterable of lines, readable in blocks) and keyword
options, and yields ``Entry`` or ``Malformed`` items, so that one bad record never stops an
import; a ``FormatError`` means the file as a whole cannot be read.
"""

import re
from collections.abc import Iterator
from itertools import islice
from typing import BinaryIO

from hashing.listformats.base import BOM, DIGEST_BYTES, HASH_FIELDS, HEX, Entry, FormatError, Malformed
from hashing.listformats.encoding import UNREADABLE, encoding_problem, open_list
from hashing.listformats.nsrl import nsrl_row_count, parse_nsrl
from hashing.listformats.tables import FIELDS, ICSE_HEADER, guess_mapping, parse_csv, parse_icse, read_header
from hashing.listformats.text import Run, parse_hashdeep, parse_plain, parse_plain_runs
from hashing.listformats.vics import parse_vics

__all__ = [
    "BOM", "DIGEST_BYTES", "FIELDS", "FORMATS", "HASH_FIELDS", "ICSE_HEADER", "PARSERS", "RUN_PARSERS",
    "Entry", "FormatError", "Malformed", "Run", "detect_format", "guess_mapping", "nsrl_row_count", "preview",
    "open_list", "read_header",
]  # fmt: skip


def parse_unreadable(stream: BinaryIO, **_options) -> Iterator[Entry | Malformed]:
    """A file that is not text in an encoding we read fails as a whole, with one error that says so."""
    raise FormatError(encoding_problem(stream.read(4096)) or UNREADABLE)


PARSERS = {
    "plain": parse_plain,
    "hashdeep": parse_hashdeep,
    "csv": parse_csv,
    "icse": parse_icse,
    "vics": parse_vics,
    "nsrl": parse_nsrl,
    "unreadable": parse_unreadable,
}
# The importer's parsers where they differ: whole blocks of bare digests passed on as ``Run`` items.
RUN_PARSERS = {"plain": parse_plain_runs}
FORMATS = {
    "plain": "Plain text / md5sum / sha256sum",
    "hashdeep": "hashdeep / md5deep",
    "csv": "CSV with a header",
    "icse": "INTERPOL ICSE CSV",
    "vics": "Project VIC VICS JSON",
    "nsrl": "NIST NSRL RDS v3 (SQLite)",
    "empty": "Empty file",
    "unreadable": "Not readable as text",
}


def detect_format(head: bytes) -> str:
    """Name the format of a list from its first bytes (4 KiB is plenty), read through ``open_list``."""
    if head.startswith(b"SQLite format 3\x00"):
        return "nsrl"
    if encoding_problem(head):
        return "unreadable"
    text = head.removeprefix(BOM).lstrip()
    if not text:
        return "empty"
    if text.startswith((b"{", b"[")):
        return "vics"
    if text.startswith(b"%%%% HASHDEEP"):
        return "hashdeep"
    # Comments and blank lines say nothing of the format (a plain list may open with "# source, date").
    lines = [line.strip() for line in text.splitlines()]
    first = next((line for line in lines if line and not line.startswith(b"#")), b"").lower()
    if not first:
        return "plain"
    if first.startswith(b"md5;sha1;photodna"):
        return "icse"
    # A digest first means rows without a header (md5sum output, whose file names may hold commas);
    # several columns otherwise mean a header, whose columns are then mapped.
    token = re.split(rb"[\s,;|]", first, maxsplit=1)[0]
    if HEX.match(token) and len(token) in (32, 40, 64):
        return "plain"
    _, columns = read_header(first)
    if len(columns) > 1:
        return "csv"
    return "plain"


def preview(stream: BinaryIO, file_format: str, rows: int = 10, **options) -> list[Entry | Malformed]:
    """The first ``rows`` items the parser yields (raises FormatError like the import would)."""
    return list(islice(PARSERS[file_format](stream, **options), rows))
