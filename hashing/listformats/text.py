"""Line-oriented lists: plain digests, md5sum/sha*sum/md5deep output, hashdeep. No Django here.

Each parser takes an iterable of raw lines (bytes) and yields ``Entry`` or ``Malformed`` items
with their 1-based line number, so that one bad line never stops an import.
"""

from collections.abc import Iterable, Iterator

from hashing.hashers import algorithm_for_hex
from hashing.listformats.base import BOM, DIGEST_BYTES, HEX, MAX_LINE, Entry, FormatError, Malformed


def parse_plain(lines: Iterable[bytes], **_options) -> Iterator[Entry | Malformed]:
    """One hex digest per line, optionally followed by a file name (md5sum/sha256sum output too).

    Accepts upper or lower case, ``#`` comments, blank lines, Windows line ends and a BOM.
    """
    for number, raw in enumerate(lines, start=1):
        if number == 1:
            raw = raw.removeprefix(BOM)
        if len(raw) > MAX_LINE:
            yield Malformed(number, f"line longer than {MAX_LINE} bytes")
            continue
        line = raw.strip()
        if not line or line.startswith(b"#"):
            continue
        token, _, rest = line.partition(b" ")
        if b"\t" in token:
            token, _, rest = line.partition(b"\t")
        if not HEX.match(token):
            yield Malformed(number, "not a hexadecimal hash")
            continue
        algorithm = algorithm_for_hex(token)
        if algorithm is None:
            yield Malformed(number, f"{len(token)} hex digits: not MD5 (32), SHA-1 (40) or SHA-256 (64)")
            continue
        name = rest.strip().lstrip(b"*").decode("utf-8", errors="replace") if rest else ""
        yield Entry(number, algorithm, bytes.fromhex(token.decode("ascii")), name)


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
            raise FormatError(f"line {number}: a row before the %%%% line naming the columns")
        if len(line) > MAX_LINE:
            yield Malformed(number, f"line longer than {MAX_LINE} bytes")
            continue
        cells = line.split(b",", len(columns) - 1)
        if len(cells) != len(columns):
            yield Malformed(number, f"{len(cells)} columns, expected {len(columns)}")
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
                yield Malformed(number, f"{column}: not a {DIGEST_BYTES[column] * 2}-digit hexadecimal hash")
                break
            found.append(Entry(number, column, bytes.fromhex(token.decode("ascii")), name))
        if found:
            yield from found
