"""Plain text and HTML: the characters a person reads, in the encoding the bytes were written in."""

import codecs
from html.parser import HTMLParser

from texts.sink import Sink

BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def decode(data: bytes, max_chars: int) -> str:
    """``data`` as text: by its byte-order mark, else UTF-8, else Windows-1252 (what Western
    Europe's older files are in). At most ``max_chars`` characters' worth of bytes are decoded."""
    data = bytes(data[: max_chars * 4])
    for bom, encoding in BOMS:  # UTF-32's BOM starts with UTF-16's: longest first
        if data.startswith(bom):
            return data.decode(encoding, errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        if error.start >= len(data) - 3:  # a character cut by the byte cap
            return data[: error.start].decode("utf-8")
        return data.decode("cp1252", errors="replace")


def plain_text(data: bytes, sink: Sink) -> None:
    sink.add(decode(data, sink.max_chars))


# Elements whose content is not read as text on a page.
HIDDEN = frozenset({"script", "style", "template", "noscript", "svg", "object"})
# Elements that end a line of text.
BLOCKS = frozenset(
    "address article aside blockquote br dd div dl dt figcaption footer form h1 h2 h3 h4 h5 h6 header hr li "
    "main nav ol p pre section table td th title tr ul".split()
)


class _Visible(HTMLParser):
    def __init__(self, sink: Sink):
        super().__init__(convert_charrefs=True)
        self.sink, self.hidden = sink, 0

    def handle_starttag(self, tag, attrs):
        if tag in HIDDEN:
            self.hidden += 1
        elif tag in BLOCKS:
            self.sink.add("\n")

    def handle_endtag(self, tag):
        if tag in HIDDEN:
            self.hidden = max(0, self.hidden - 1)
        elif tag in BLOCKS:
            self.sink.add("\n")

    def handle_data(self, data):
        if not self.hidden:
            self.sink.add(data)


def html_text(data: "bytes | str", sink: Sink) -> None:
    """The visible text of an HTML page (its title included, no script or style)."""
    text = data if isinstance(data, str) else decode(data, sink.max_chars)
    parser = _Visible(sink)
    parser.feed(text)
    parser.close()
