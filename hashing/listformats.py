"""Parsers for hash-list files. Plain Python: no Django here.

Each parser takes an iterable of raw lines (bytes) and yields ``Entry`` or ``Malformed`` items
with their 1-based line number, so that one bad line never stops an import.
"""

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from hashing.hashers import algorithm_for_hex

HEX = re.compile(rb"^[0-9a-fA-F]+$")
MAX_LINE = 4096


@dataclass(frozen=True, slots=True)
class Entry:
    line: int
    algorithm: str
    value: bytes
    name: str = ""


@dataclass(frozen=True, slots=True)
class Malformed:
    line: int
    reason: str


def detect_format(head: bytes) -> str:
    """Name the format of a list from its first bytes. Only plain text (and *sum output) so far."""
    text = head.lstrip(b"\xef\xbb\xbf").lstrip()
    if text.startswith((b"{", b"[")):
        return "json"
    if text.startswith(b"%%%% HASHDEEP"):
        return "hashdeep"
    return "plain"


def parse_plain(lines: Iterable[bytes]) -> Iterator[Entry | Malformed]:
    """One hex digest per line, optionally followed by a file name (md5sum/sha256sum output too).

    Accepts upper or lower case, ``#`` comments, blank lines, Windows line ends and a BOM.
    """
    for number, raw in enumerate(lines, start=1):
        if number == 1:
            raw = raw.removeprefix(b"\xef\xbb\xbf")
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
        algorithm = algorithm_for_hex(token.decode("ascii"))
        if algorithm is None:
            yield Malformed(number, f"{len(token)} hex digits: not MD5 (32), SHA-1 (40) or SHA-256 (64)")
            continue
        name = rest.strip().lstrip(b"*").decode("utf-8", errors="replace")
        yield Entry(number, algorithm, bytes.fromhex(token.decode("ascii")), name)


PARSERS = {"plain": parse_plain}
