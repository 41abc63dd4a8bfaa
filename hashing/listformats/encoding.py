"""Reading a list whatever Unicode encoding it was saved in, as UTF-8 bytes. No Django here.

Lists come from many tools: Windows ones (PowerShell's ``Out-File``, Excel's "Unicode text") save
UTF-16 with a byte order mark, where every ASCII character is followed (or preceded) by a NUL
byte and no line would read as a hash. A list that starts with a byte order mark is transcoded
to UTF-8 as it is read, a block at a time, so every parser sees UTF-8 whatever the file holds.
A UTF-8 byte order mark is left to the parsers, which skip it.
"""

import codecs
from typing import BinaryIO

from config.messages import Message, message

# Longest first: the UTF-32 LE mark begins with the UTF-16 LE one.
BYTE_ORDER_MARKS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
UNREADABLE = message("list.nul_bytes")


def open_list(raw: BinaryIO) -> BinaryIO:
    """``raw`` (a binary file, seekable, at its start) as UTF-8 bytes.

    UTF-16 and UTF-32 (either byte order) are recognised by their byte order mark and transcoded
    as they are read; any other file is returned as it is, at its start.
    """
    head = raw.read(4)
    for mark, encoding in BYTE_ORDER_MARKS:
        if head.startswith(mark):
            raw.seek(len(mark))
            return Utf8Reader(raw, encoding)
    raw.seek(0)
    return raw


def encoding_problem(head: bytes) -> Message | None:
    """Why a list whose first bytes (after ``open_list``) are ``head`` cannot be read as text, or None.

    NUL bytes never occur in a text list: the file is UTF-16 or UTF-32 without the mark that would
    say so, or not text at all, and every line would fail on its own. Other bytes that are not
    UTF-8 (a Latin-1 file name) spoil only their own line, which the parser reports.
    """
    return UNREADABLE if b"\x00" in head else None


class Utf8Reader:
    """A binary file in another Unicode encoding, read as UTF-8 bytes with ``read`` and ``readline``.

    Memory is bounded by the caller's sizes plus one block. A sequence that does not decode (an
    odd byte, a lone surrogate) becomes U+FFFD and spoils its own line only.
    """

    BLOCK = 1 << 20

    def __init__(self, raw: BinaryIO, encoding: str):
        self.raw = raw
        self.name = getattr(raw, "name", "")
        self.encoding = encoding
        self._decoder = codecs.getincrementaldecoder(encoding)(errors="replace")
        self._buffer = bytearray()
        self._eof = False

    def _more(self) -> None:
        block = self.raw.read(self.BLOCK)
        self._eof = not block
        self._buffer += self._decoder.decode(block, final=self._eof).encode("utf-8")

    def read(self, size: int | None = -1) -> bytes:
        """``size`` bytes (fewer only at the end of the file); all that is left without a size."""
        while not self._eof and (size is None or size < 0 or len(self._buffer) < size):
            self._more()
        taken = len(self._buffer) if size is None or size < 0 else min(size, len(self._buffer))
        block = bytes(self._buffer[:taken])
        del self._buffer[:taken]
        return block

    def readline(self, size: int | None = -1) -> bytes:
        """One line with its line end, or its first ``size`` bytes; b"" at the end of the file."""
        limit = -1 if size is None else size
        searched = 0
        while (end := self._buffer.find(b"\n", searched)) < 0:
            if self._eof or 0 <= limit <= len(self._buffer):
                break
            searched = len(self._buffer)
            self._more()
        taken = len(self._buffer) if end < 0 else end + 1
        if limit >= 0:
            taken = min(taken, limit)
        line = bytes(self._buffer[:taken])
        del self._buffer[:taken]
        return line

    def __iter__(self):
        while line := self.readline():
            yield line

    def tell(self) -> int:
        """The position in the file read (for progress), not in the UTF-8 bytes handed out."""
        return self.raw.tell()
