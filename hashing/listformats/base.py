"""What every list parser yields. Plain Python: no Django here."""

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO

from config.messages import Message, MessageError, message

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
    reason: Message  # config.messages


class FormatError(MessageError):
    """The file as a whole cannot be read (not one bad line): the import stops and fails.

    Its ``message`` is a stored message (config.messages); ``str()`` reads it in the active language."""


def digest_from_text(algorithm: str, text: str) -> bytes | Message:
    """The digest's bytes, or the reason (a message) it is not a valid ``algorithm`` digest."""
    text = text.strip()
    if algorithm in ("phash", "pdq"):
        text = text.removeprefix("0x").removeprefix("0X")
    size = DIGEST_BYTES[algorithm]
    if not HEX_TEXT.match(text):
        return message("list.digest_not_hex", algorithm=algorithm)
    if len(text) != size * 2:
        return message("list.digest_length", algorithm=algorithm, digits=len(text), expected=size * 2)
    return bytes.fromhex(text)


def decode_line(raw: bytes) -> str | None:
    """A line as text, or None if it is not UTF-8 (a byte from another encoding)."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return None


def bounded_lines(stream: BinaryIO) -> Iterator[bytes]:
    """The stream's lines, each with its line end (the last one perhaps without), in bounded memory.

    A line longer than ``MAX_LINE`` is passed on cut to its first ``MAX_LINE + 2`` bytes, so the
    parser reports it as too long under its own number, and the rest of it is read and dropped
    without being kept (a hostile list may hold a line of a billion characters).
    """
    while line := stream.readline(MAX_LINE + 2):
        if len(line) > MAX_LINE + 1 and not line.endswith(b"\n"):
            while rest := stream.readline(1 << 20):
                if rest.endswith(b"\n"):
                    break
        yield line


def line_blocks(stream: BinaryIO, block_size: int, prefix: bytes = b"") -> Iterator[bytes]:
    """The stream as blocks of whole lines, each ending with a line end (one is added to a last line without).

    A line is never split across two blocks. One that is still open after ``MAX_LINE`` bytes is
    passed on cut to ``MAX_LINE + 1`` bytes (the parser reports it as too long, under its own
    number) and the rest of it is read and dropped: memory stays within a block and a line,
    whatever the file holds, and every line after it is read. ``prefix`` (a byte order mark) is
    dropped from the start of the file.
    """
    carry = b""  # the start of a line whose end is not read yet (at most MAX_LINE bytes)
    skipping = False  # inside an over-long line already passed on
    first = True
    while block := stream.read(block_size):
        if first:
            block, first = block.removeprefix(prefix), False
        if skipping:
            end = block.find(b"\n")
            if end < 0:
                continue
            block, skipping = block[end + 1 :], False
        data = carry + block
        end = data.rfind(b"\n")
        whole, carry = data[: end + 1], data[end + 1 :]
        if len(carry) > MAX_LINE:
            whole += carry[: MAX_LINE + 1] + b"\n"
            carry, skipping = b"", True
        if whole:
            yield whole
    if carry:
        yield carry + b"\n"
