"""Office Open XML (docx, xlsx, pptx) and OpenDocument (odt, ods, odp): zip containers of XML parts.

Each part is read through a counter that stops at ``max_member_bytes`` whatever its header
declares, and parsed as a stream (``iterparse``), the tree pruned paragraph by paragraph: a zip
bomb (a small member inflating to gigabytes) is refused after the cap, never held in memory.
defusedxml refuses any entity declaration or external reference (a billion laughs, an XXE).
"""

import fnmatch
import io
import zipfile
from xml.etree.ElementTree import ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import iterparse

from config.messages import message
from texts.limits import Budget, TextRefused
from texts.sink import Sink

# The parts that hold text, in reading order, for each kind of document.
PARTS = {
    "docx": (
        "word/document.xml",
        "word/footnotes.xml",
        "word/endnotes.xml",
        "word/comments.xml",
        "word/header*.xml",
        "word/footer*.xml",
        "docProps/core.xml",
    ),
    "xlsx": ("xl/sharedStrings.xml", "xl/worksheets/sheet*.xml", "docProps/core.xml"),
    "pptx": ("ppt/slides/slide*.xml", "ppt/notesSlides/notesSlide*.xml", "docProps/core.xml"),
    "odf": ("content.xml", "meta.xml"),
}
# OOXML elements holding text (their own .text, no mixed content) and ending a line.
OOXML_TEXT = frozenset({"t", "v", "title", "subject", "creator", "description", "keywords", "lastModifiedBy"})
OOXML_BREAK = frozenset({"p", "si", "row", "br", "tab", "c"})
# OpenDocument: text lives in paragraphs and headings, with spans inside (mixed content).
ODF_BLOCKS = frozenset({"p", "h", "title", "subject", "description", "keyword", "initial-creator", "creator"})


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _natural(name: str) -> tuple:
    """slide2.xml before slide10.xml."""
    digits = "".join(ch for ch in name if ch.isdigit())
    return (len(digits), digits, name)


class _Capped(io.RawIOBase):
    """A member's stream that refuses to give more than ``limit`` bytes."""

    def __init__(self, stream, name: str, limit: int):
        self.stream, self.name, self.limit, self.read_bytes = stream, name, limit, 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        data = self.stream.read(len(buffer))
        self.read_bytes += len(data)
        if self.read_bytes > self.limit:
            raise TextRefused(
                message("text.member_too_large", member=self.name, size=self.read_bytes, limit=self.limit)
            )
        buffer[: len(data)] = data
        return len(data)


def office_text(data: bytes, kind: str, sink: Sink, budget: Budget) -> None:
    """The text of a docx, xlsx, pptx ("docx", "xlsx", "pptx") or OpenDocument ("odf") file."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError, ValueError) as error:
        raise TextRefused(message("text.zip_unreadable", reason=str(error))) from error
    with archive:
        names = archive.namelist()
        chosen = []
        for pattern in PARTS[kind]:
            chosen += sorted(fnmatch.filter(names, pattern), key=_natural)
        for count, name in enumerate(dict.fromkeys(chosen)):
            if count >= budget.limits.max_parts or budget.spent:
                sink.findings.append(message("text.time_limit", seconds=int(budget.limits.max_seconds)))
                return
            _part_text(archive, name, kind, sink, budget)


def _part_text(archive: zipfile.ZipFile, name: str, kind: str, sink: Sink, budget: Budget) -> None:
    limit = budget.limits.max_member_bytes
    info = archive.getinfo(name)
    if info.file_size > limit:
        raise TextRefused(message("text.member_too_large", member=name, size=info.file_size, limit=limit))
    try:
        with archive.open(info) as member:
            stream = io.BufferedReader(_Capped(member, name, limit), 1 << 16)
            if kind == "odf":
                _odf(stream, sink)
            else:
                _ooxml(stream, sink)
    except (ParseError, DefusedXmlException) as error:
        raise TextRefused(message("text.xml_unreadable", member=name, reason=str(error))) from error
    except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError, RuntimeError) as error:
        raise TextRefused(message("text.zip_unreadable", reason=f"{name}: {error}")) from error
    sink.add("\n")


def _ooxml(stream, sink: Sink) -> None:
    shared_cell = False
    for event, element in iterparse(stream, events=("start", "end")):
        name = _local(element.tag)
        if event == "start":
            if name == "c":  # a spreadsheet cell: its <v> is an index into the shared strings when t="s"
                shared_cell = element.get("t") == "s"
            continue
        if name in OOXML_TEXT and not (name == "v" and shared_cell):
            sink.add(element.text)
        if name in OOXML_BREAK:
            sink.add("\t" if name in ("c", "tab") else "\n")
            element.clear()


def _odf(stream, sink: Sink) -> None:
    depth = 0
    for event, element in iterparse(stream, events=("start", "end")):
        name = _local(element.tag)
        if name not in ODF_BLOCKS:
            continue
        if event == "start":
            depth += 1
            continue
        depth -= 1
        if depth == 0:  # an outer paragraph: its text and its spans' (a note inside is read with it)
            sink.add("".join(element.itertext()))
            sink.add("\n")
            element.clear()
