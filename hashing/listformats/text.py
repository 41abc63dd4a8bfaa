"""Line-oriented lists: plain digests, md5sum/sha*sum/md5deep output, hashdeep. No Django here.

Each parser takes an iterable of raw lines (bytes) and yields ``Entry`` or ``Malformed`` items
with their 1-based line number, so that one bad line never stops an import.
"""

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import BinaryIO

from config.messages import message
from hashing.hashers import algorithm_for_hex
from hashing.listformats.base import BOM, DIGEST_BYTES, HEX, MAX_LINE, Entry, FormatError, Malformed, line_blocks


def parse_plain(lines: Iterable[bytes], **_options) -> Iterator[Entry | Malformed]:
    """One hex digest per line, optionally followed by a file name (md5sum/sha256sum output too).

    Accepts upper or lower case, ``#`` comments, blank lines, Windows line ends and a BOM.
    """
    for number, raw in enumerate(lines, start=1):
        if number == 1:
            raw = raw.removeprefix(BOM)
        if (item := _plain_line(number, raw)) is not None:
            yield item


def _plain_line(number: int, raw: bytes) -> Entry | Malformed | None:
    if len(raw) > MAX_LINE:
        return Malformed(number, message("list.line_too_long", limit=MAX_LINE))
    line = raw.strip()
    if not line or line.startswith(b"#"):
        return None
    token, _, rest = line.partition(b" ")
    if b"\t" in token:
        token, _, rest = line.partition(b"\t")
    if not HEX.match(token):
        return Malformed(number, message("list.not_hex"))
    algorithm = algorithm_for_hex(token)
    if algorithm is None:
        return Malformed(number, message("list.hex_length", digits=len(token)))
    name = rest.strip().lstrip(b"*").decode("utf-8", errors="replace") if rest else ""
    return Entry(number, algorithm, bytes.fromhex(token.decode("ascii")), name)


@dataclass(frozen=True, slots=True)
class Run:
    """Consecutive lines that are each a bare digest of one algorithm: the usual shape of a big list.

    ``values`` holds the digests' bytes end to end (``count`` of them, each ``DIGEST_BYTES`` long,
    in file order, duplicates included); ``line`` is the number of the first one.
    """

    line: int
    algorithm: str
    count: int
    values: bytes


RUN_BLOCK = 4 << 20
BARE_LENGTHS = {32: "md5", 40: "sha1", 64: "sha256"}


def bare_digests(block: bytes, length: int, count: int) -> bytes | None:
    """The bytes of a block made only of ``count`` lines of ``length`` hex digits each, else None.

    No Python code runs per line: the newlines are checked with one slice, and ``bytes.fromhex``
    decodes the rest. It skips white space, so a line holding a space or a tab decodes to fewer
    bytes than ``count`` digests: the length check catches it.
    """
    if len(block) != count * (length + 1) or block[length :: length + 1] != b"\n" * count:
        return None
    try:
        values = bytes.fromhex(block.decode("ascii"))
    except (UnicodeDecodeError, ValueError):
        return None
    return values if len(values) == count * length // 2 else None


def parse_plain_runs(stream: BinaryIO, block_size: int | None = None, **_options) -> Iterator[Run | Entry | Malformed]:
    """``parse_plain`` over a binary stream, a block at a time, for the importer.

    A block whose lines are all bare digests of one length (after CRLF is made LF) is decoded
    whole and handed on as a ``Run``, so that no Python code runs per line; any other block goes
    through ``parse_plain``'s rules line by line, with the same line numbers and the same reasons.
    """
    number = 1  # the number of the first line of the next block
    for block in line_blocks(stream, block_size or RUN_BLOCK, prefix=BOM):
        count = block.count(b"\n")
        if b"\r" in block:
            block = block.replace(b"\r\n", b"\n")
        length = block.find(b"\n")
        values = bare_digests(block, length, count) if length in BARE_LENGTHS else None
        if values is not None:
            yield Run(number, BARE_LENGTHS[length], count, values)
        else:
            yield from _plain_lines(number, block.split(b"\n")[:-1])
        number += count


def _plain_lines(number: int, lines: list[bytes]) -> Iterator[Entry | Malformed]:
    for offset, raw in enumerate(lines):
        if (item := _plain_line(number + offset, raw)) is not None:
            yield item


HASHDEEP_COLUMNS = {"md5", "sha1", "sha256"}


def parse_hashdeep(lines: Iterable[bytes], **_options) -> Iterator[Entry | Malformed]:
    """hashdeep/md5deep ``-c`` output: ``%%%%`` header lines naming the columns, ``##`` comments, CSV rows.

    The file name is the last column and may itself contain commas, so a row is split on the
    first commas only. Columns we do not keep (size, tiger, whirlpool) are read and ignored.
    """
    columns: list[str] | None = None
    for number, raw in enumerate(lines, start=1):
        if number == 1:
            raw = raw.removeprefix(BOM)
        line = raw.rstrip(b"\r\n")
        if not line.strip() or line.startswith(b"##"):
            continue
        if line.startswith(b"%%%%"):
            header = line[4:].strip().decode("ascii", errors="replace")
            if not header.upper().startswith("HASHDEEP"):
                columns = [name.strip().lower() for name in header.split(",")]
            continue
        if columns is None:
            raise FormatError(message("list.hashdeep_row_before_header", line=str(number)))
        if len(line) > MAX_LINE:
            yield Malformed(number, message("list.line_too_long", limit=MAX_LINE))
            continue
        cells = line.split(b",", len(columns) - 1)
        if len(cells) != len(columns):
            yield Malformed(number, message("list.columns", count=len(cells), expected=len(columns)))
            continue
        row = dict(zip(columns, cells, strict=True))
        name = row.get("filename", b"").decode("utf-8", errors="replace")
        found = []
        for column in columns:
            if column not in HASHDEEP_COLUMNS:
                continue
            token = row[column].strip()
            if not HEX.match(token) or len(token) != DIGEST_BYTES[column] * 2:
                found = None
                yield Malformed(number, message("list.column_not_hash", column=column, digits=DIGEST_BYTES[column] * 2))
                break
            found.append(Entry(number, column, bytes.fromhex(token.decode("ascii")), name))
        if found:
            yield from found
