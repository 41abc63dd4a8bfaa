"""Rich Text Format: an Outlook message's compressed RTF body ([MS-OXRTFCP]) and its text, best effort.

Only what a person reads is kept: plain text, paragraph and tab breaks, the characters written as
escapes (\\'e9, \\u233). Fonts, colours, pictures, fields' instructions and the other destinations are
skipped; in RTF that wraps an HTML body (\\fromhtml1), the HTML tags and the RTF-only parts are
skipped too, which leaves the HTML body's text.
"""

import re
import struct

# The dictionary's first bytes, as [MS-OXRTFCP] 2.1.3.1.1 fixes them.
PREBUF = (
    b"{\\rtf1\\ansi\\mac\\deff0\\deftab720{\\fonttbl;}{\\f0\\fnil \\froman \\fswiss \\fmodern \\fscript "
    b"\\fdecor MS Sans SerifSymbolArialTimes New RomanCourier{\\colortbl\\red0\\green0\\blue0\r\n\\par "
    b"\\pard\\plain\\f0\\fs20\\b\\i\\u\\tab\\tx"
)
COMPRESSED, UNCOMPRESSED = 0x75465A4C, 0x414C454D  # "LZFu", "MELA"


class RtfError(ValueError):
    """The compressed RTF cannot be read."""


def rtf_decompress(data: bytes, max_bytes: int) -> bytes:
    """The RTF held in an Outlook PR_RTF_COMPRESSED property, at most ``max_bytes`` of it."""
    if len(data) < 16:
        raise RtfError("compressed RTF shorter than its header")
    _size, raw_size, kind, _crc = struct.unpack("<IIII", data[:16])
    if kind == UNCOMPRESSED:
        return bytes(data[16 : 16 + min(raw_size, max_bytes)])
    if kind != COMPRESSED:
        raise RtfError(f"unknown compressed RTF type {kind:#x}")
    window = bytearray(4096)
    window[: len(PREBUF)] = PREBUF
    position, out, index, end = len(PREBUF), bytearray(), 16, len(data)
    limit = min(raw_size, max_bytes)
    while index < end and len(out) < limit:
        control = data[index]
        index += 1
        for bit in range(8):
            if index >= end or len(out) >= limit:
                break
            if control & (1 << bit):
                if index + 2 > end:
                    raise RtfError("compressed RTF cut inside a reference")
                word = (data[index] << 8) | data[index + 1]
                index += 2
                offset, length = word >> 4, (word & 0xF) + 2
                if offset == position:  # the end marker
                    return bytes(out)
                for step in range(length):
                    byte = window[(offset + step) & 0xFFF]
                    out.append(byte)
                    window[position] = byte
                    position = (position + 1) & 0xFFF
            else:
                byte = data[index]
                index += 1
                out.append(byte)
                window[position] = byte
                position = (position + 1) & 0xFFF
    return bytes(out[:limit])


TOKEN = re.compile(rb"\\([a-zA-Z]{1,32})(-?\d{1,10})? ?|\\'([0-9a-fA-F]{2})|\\(.)|([{}])|([^\\{}\r\n]+)|[\r\n]+", re.S)
# Destinations whose content is not text a person reads.
SKIPPED = frozenset(
    b"fonttbl colortbl stylesheet info pict object header footer headerl headerr footerl footerr "
    b"fldinst listtable listoverridetable rsidtbl generator xmlnstbl themedata colorschememapping "
    b"latentstyles datastore mmathPr pgdsctbl filetbl revtbl".split()
)
BREAKS = {b"par": "\n", b"line": "\n", b"tab": "\t", b"row": "\n", b"cell": "\t", b"page": "\n", b"sect": "\n"}


def rtf_text(data: bytes, max_chars: int) -> str:
    """The text of an RTF document, at most about ``max_chars`` characters. Never raises on content."""
    pieces: list[str] = []
    size = 0
    # Per group: (skipped, characters to drop after a \\u, inside \\htmlrtf, code page)
    stack: list[tuple[bool, int, bool]] = []
    skipped, unicode_skip, html_rtf = False, 1, False
    pending_skip = 0
    first_in_group = False
    encoding = "cp1252"
    for found in TOKEN.finditer(data):
        if size >= max_chars:
            break
        word, argument, hexa, symbol, brace, plain = found.groups()
        if brace == b"{":
            if len(stack) > 1000:  # a hostile depth: the rest is not read
                break
            stack.append((skipped, unicode_skip, html_rtf))
            first_in_group = True
            continue
        if brace == b"}":
            if stack:
                skipped, unicode_skip, html_rtf = stack.pop()
            first_in_group = False
            continue
        starting, first_in_group = first_in_group, False
        text = ""
        if symbol is not None:
            if symbol == b"*" and starting:
                skipped = True
            elif symbol in (b"\\", b"{", b"}"):
                text = symbol.decode()
            elif symbol == b"~":
                text = " "
        elif word is not None:
            if starting and word in SKIPPED:
                skipped = True
            elif word == b"htmlrtf":
                html_rtf = argument != b"0"
            elif word == b"uc" and argument:
                unicode_skip = max(0, int(argument))
            elif word == b"u" and argument:
                code = int(argument)
                text = chr(code + 65536 if code < 0 else code) if -32768 <= code < 1114112 else ""
                pending_skip = unicode_skip
            elif word == b"ansicpg" and argument and argument.isdigit():
                encoding = f"cp{int(argument)}"
            elif word in BREAKS:
                text = BREAKS[word]
        elif hexa is not None:
            if pending_skip:
                pending_skip -= 1
                continue
            text = _decoded(bytes([int(hexa, 16)]), encoding)
        elif plain is not None:
            if pending_skip:
                dropped = min(pending_skip, len(plain))
                plain, pending_skip = plain[dropped:], pending_skip - dropped
            text = _decoded(plain, encoding)
        if text and not skipped and not html_rtf:
            pieces.append(text)
            size += len(text)
    return "".join(pieces)[:max_chars]


def _decoded(data: bytes, encoding: str) -> str:
    try:
        return data.decode(encoding, errors="replace")
    except LookupError:
        return data.decode("cp1252", errors="replace")
