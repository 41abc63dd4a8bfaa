"""How a name that need not be text (a file or member name from seized media) is shown and stored.

Plain Python: no Django here. Every lister (folders, archives) shows names through ``shown_name``
or ``shown_text``, so that the same bytes read the same everywhere and two different names never
show as one path.
"""

import re

# A byte that is not UTF-8 is shown as \xNN, so that two names differing only there stay two
# paths (replacement characters made "x\xff.txt" and "x\xfe.txt" one). A backslash that could be
# read as the start of such an escape (before "x" and two hex digits, before another backslash or
# before an escaped byte) is doubled, so that every shown name reads back to its bytes
# (``name_bytes``). Other names, lone backslashes included, are shown as they are.
_ESCAPE_AHEAD = re.compile("\\\\(?=\\\\|x[0-9a-fA-F]{2}|[\udc80-\udcff])")
_NOT_UTF8 = re.compile("[\udc80-\udcff]")
_ESCAPED = re.compile(r"\\(\\|x[0-9a-fA-F]{2})")


def shown_name(raw: bytes) -> str:
    """A name's bytes as text: UTF-8 as it is, every other byte as \\xNN (reversed by ``name_bytes``)."""
    text = _ESCAPE_AHEAD.sub(r"\\\\", raw.decode("utf-8", errors="surrogateescape"))
    return _NOT_UTF8.sub(lambda match: f"\\x{ord(match.group()) - 0xDC00:02x}", text)


def name_bytes(shown: str) -> bytes:
    """The bytes of a name shown by ``shown_name``."""
    pieces, position = [], 0
    for match in _ESCAPED.finditer(shown):
        pieces.append(shown[position : match.start()].encode("utf-8"))
        escape = match.group(1)
        pieces.append(b"\\" if escape == "\\" else bytes([int(escape[1:], 16)]))
        position = match.end()
    pieces.append(shown[position:].encode("utf-8"))
    return b"".join(pieces)


def shown_text(name: str) -> str:
    """A name a library already decoded, as shown: the bytes it was decoded from where it kept them
    (tarfile's surrogate escapes), a lone UTF-16 surrogate (a 7z name) as the bytes it would encode to."""
    try:
        raw = name.encode("utf-8", errors="surrogateescape")
    except UnicodeEncodeError:
        raw = name.encode("utf-8", errors="surrogatepass")
    return shown_name(raw)
