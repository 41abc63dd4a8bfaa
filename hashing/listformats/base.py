"""What every list parser yields. Plain Python: no Django here."""

import re
from dataclasses import dataclass

HEX = re.compile(rb"^[0-9a-fA-F]+$")
HEX_TEXT = re.compile(r"^[0-9a-fA-F]+$")
BOM = b"\xef\xbb\xbf"
MAX_LINE = 4096

# Bytes per digest, for every algorithm a list may carry. pHash and PDQ are perceptual hashes
# (64 and 256 bits); PDQ and SHA-256 have the same length, so PDQ is only ever read from a
# column or a field that names it.
DIGEST_BYTES = {"md5": 16, "sha1": 20, "sha256": 32, "phash": 8, "pdq": 32}
HASH_FIELDS = tuple(DIGEST_BYTES)


@dataclass(frozen=True, slots=True)
class Entry:
    """One hash of one record. ``line`` is the 1-based line (or record) number it came from."""

    line: int
    algorithm: str
    value: bytes
    name: str = ""
    category: str = ""
    series: str = ""
    extra: dict | None = None


@dataclass(frozen=True, slots=True)
class Malformed:
    line: int
    reason: str


class FormatError(Exception):
    """The file as a whole cannot be read (not one bad line): the import stops and fails."""


def digest_from_text(algorithm: str, text: str) -> bytes | str:
    """The digest's bytes, or the reason it is not a valid ``algorithm`` digest."""
    text = text.strip()
    if algorithm in ("phash", "pdq"):
        text = text.removeprefix("0x").removeprefix("0X")
    size = DIGEST_BYTES[algorithm]
    if not HEX_TEXT.match(text):
        return f"{algorithm}: not hexadecimal"
    if len(text) != size * 2:
        return f"{algorithm}: {len(text)} hex digits, expected {size * 2}"
    return bytes.fromhex(text)


def decode_line(raw: bytes) -> str | None:
    """A line as text, or None if it is not UTF-8 (a byte from another encoding)."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return None
