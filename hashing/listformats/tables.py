"""Delimited lists with a header row: any CSV (columns mapped by the user) and INTERPOL ICSE. No Django here."""

import csv
import re
from collections.abc import Iterable, Iterator

from config.messages import message
from hashing.listformats.base import BOM, HASH_FIELDS, MAX_LINE, Entry, FormatError, Malformed, digest_from_text

# What a column can be mapped to. Hash fields give entries; the others describe the row.
FIELDS = (*HASH_FIELDS, "category", "series", "name")
DELIMITERS = ",;\t|"
SYNONYMS = {
    "md5": {"md5", "md5hash", "hashmd5", "md5sum"},
    "sha1": {"sha1", "sha1hash", "hashsha1", "sha1sum"},
    "sha256": {"sha256", "sha256hash", "hashsha256", "sha256sum"},
    "phash": {"phash", "perceptualhash", "dctphash"},
    "pdq": {"pdq", "pdqhash"},
    "category": {"category", "cat", "vicscategory", "classification", "caidcategory"},
    "series": {"series", "seriesname"},
    "name": {"name", "filename", "file", "path", "filepath"},
}
ICSE_HEADER = (
    "MD5;SHA1;PhotoDNA;Image ID;Is distributed;Victim identified;Offender identified;Series name;"
    "Number of submissions;File Available;Media Type;Baseline"
)
ICSE_MAPPING = {"md5": "MD5", "sha1": "SHA1", "series": "Series name"}


def _normalised(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.lower())


def sniff_delimiter(header: str) -> str:
    return max(DELIMITERS, key=header.count)


def read_header(first_line: bytes) -> tuple[str, list[str]]:
    """The delimiter and the column names of a header line."""
    text = first_line.removeprefix(BOM).rstrip(b"\r\n").decode("utf-8", errors="replace")
    delimiter = sniff_delimiter(text)
    return delimiter, [name.strip() for name in _cells(text, delimiter)]


def _cells(text: str, delimiter: str) -> list[str]:
    # A stray carriage return inside a line makes the csv module refuse it: read it as one more cell
    # boundary rather than fail (the row is then checked like any other).
    return next(csv.reader([text.replace("\r", " ")], delimiter=delimiter), [])


def guess_mapping(columns: list[str]) -> dict[str, str]:
    """Map fields to columns whose header names them (``MD5 hash`` -> md5); the first column wins."""
    mapping: dict[str, str] = {}
    for column in columns:
        for field, names in SYNONYMS.items():
            if _normalised(column) in names and field not in mapping:
                mapping[field] = column
    return mapping


def parse_csv(
    lines: Iterable[bytes], *, mapping: dict[str, str] | None = None, keep_others: bool = False, **_options
) -> Iterator[Entry | Malformed]:
    """Rows of a delimited file whose first line names the columns.

    ``mapping`` maps a field (md5, sha1, sha256, phash, pdq, category, series, name) to a column
    name; without it the header is guessed. With ``keep_others``, the unmapped columns are kept
    as the entry's ``extra`` (ICSE's PhotoDNA, which we cannot compute, is kept that way).
    """
    iterator = iter(lines)
    first = next(iterator, None)
    if first is None or not first.strip(b"\xef\xbb\xbf \r\n\t"):
        raise FormatError(message("list.no_header"))
    delimiter, columns = read_header(first)
    mapping = {field: column for field, column in (mapping or guess_mapping(columns)).items() if column}
    unknown = [field for field in mapping if field not in FIELDS]
    missing = [column for column in mapping.values() if column not in columns]
    if unknown or missing:
        raise FormatError(message("list.mapping_unknown", names=", ".join(unknown + missing)))
    if not any(field in HASH_FIELDS for field in mapping):
        raise FormatError(message("list.mapping_no_hash"))
    index = {field: columns.index(column) for field, column in mapping.items()}
    others = [(position, name) for position, name in enumerate(columns) if name not in mapping.values()]
    for number, raw in enumerate(iterator, start=2):
        if len(raw) > MAX_LINE:
            yield Malformed(number, message("list.line_too_long", limit=MAX_LINE))
            continue
        try:
            text = raw.rstrip(b"\r\n").decode("utf-8")
        except UnicodeDecodeError as error:
            yield Malformed(number, message("list.not_utf8", byte=str(error.start + 1)))
            continue
        if not text.strip():
            continue
        cells = _cells(text, delimiter)
        if len(cells) != len(columns):
            yield Malformed(number, message("list.columns", count=len(cells), expected=len(columns)))
            continue
        describe = {field: cells[index[field]].strip() for field in ("category", "series", "name") if field in index}
        extra = {name: cells[position] for position, name in others if cells[position]} if keep_others else None
        found, problem = [], None
        for field in HASH_FIELDS:
            if field in index and (cell := cells[index[field]].strip()):
                value = digest_from_text(field, cell)
                if not isinstance(value, bytes):
                    problem = value
                    break
                found.append(Entry(number, field, value, extra=extra or None, **describe))
        if problem or not found:
            yield Malformed(number, problem or message("list.no_hash_in_columns"))
            continue
        yield from found


def parse_icse(lines: Iterable[bytes], **_options) -> Iterator[Entry | Malformed]:
    """INTERPOL ICSE export: ``;``-separated, fixed header; PhotoDNA and the flags kept as extra data."""
    iterator = iter(lines)
    first = next(iterator, b"")
    _, columns = read_header(first)
    if ";".join(columns[:3]).lower() != "md5;sha1;photodna":
        raise FormatError(message("list.not_icse"))
    yield from parse_csv(_chain(first, iterator), mapping=ICSE_MAPPING, keep_others=True)


def _chain(first: bytes, rest: Iterator[bytes]) -> Iterator[bytes]:
    yield first
    yield from rest
