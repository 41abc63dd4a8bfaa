"""A file's text from its bytes and its type: plain text, HTML, PDF, Office and OpenDocument files,
e-mail (.eml, .mbox, Outlook's .msg). Plain Python (no Django model, no database): tested without one.

``text_kind(mime, name)`` says whether a file's text can be read (so that a worker keeps its bytes
as it hashes them); ``extract_text`` reads it, capped at ``Limits.max_chars`` characters and
``Limits.max_seconds`` per file, or raises ``TextRefused`` with a message saying why.
"""

import functools
import os

from config.messages import message
from texts.limits import Budget, Limits, TextRefused
from texts.mail import mail_text
from texts.mbox import mbox_text
from texts.office import office_text
from texts.outlook import outlook_text
from texts.pdf import pdf_text
from texts.plain import html_text, plain_text
from texts.sink import Extracted, Full, Sink

# MIME types (as libmagic names them) -> the reader of their text.
BY_MIME = {
    "text/plain": "text",
    "text/csv": "text",
    "text/markdown": "text",
    "text/x-log": "text",
    "application/json": "text",
    "text/html": "html",
    "application/xhtml+xml": "html",
    "application/pdf": "pdf",
    "message/rfc822": "mail",
    "application/mbox": "mbox",
    "application/vnd.ms-outlook": "msg",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": "pptx",
    "application/vnd.oasis.opendocument.text": "odf",
    "application/vnd.oasis.opendocument.spreadsheet": "odf",
    "application/vnd.oasis.opendocument.presentation": "odf",
}
# A zip that libmagic did not see inside (its parts in another order): told by its name.
# A mailbox that libmagic calls text: told by its name.
TEXT_BY_EXTENSION = {"mbox": "mbox", "mbx": "mbox", "eml": "mail"}
ZIP_BY_EXTENSION = {
    "docx": "docx",
    "docm": "docx",
    "xlsx": "xlsx",
    "xlsm": "xlsx",
    "pptx": "pptx",
    "odt": "odf",
    "ods": "odf",
    "odp": "odf",
}
# Text types not read as plain text: XML is mostly markup (a docx walked as an archive lists its XML
# parts, whose text its own row already holds); RTF is control words.
NOT_PLAIN = frozenset({"text/xml", "text/rtf"})
ZIP_TYPES = frozenset({"application/zip", "application/octet-stream", "application/x-zip-compressed"})
# A compound file (OLE2) that libmagic did not name: it names an Outlook message only when the file's
# first bytes hold its directory, which a large .msg keeps further on. Told by its name.
OLE_TYPES = frozenset({"application/x-ole-storage", "application/CDFV2", "application/vnd.ms-office"})
OLE_BY_EXTENSION = {"msg": "msg"}
# The kinds of e-mail: their attachments are files of their own (evidence.ingest.archives.mails).
MAIL_KINDS = frozenset({"mail", "mbox", "msg"})


def text_kind(mime: str, name: str = "") -> str | None:
    """The reader for a file of type ``mime`` named ``name``: "text", "html", "pdf", "mail", "mbox", "msg",
    "docx", "xlsx", "pptx", "odf"; None when its text is not read."""
    return _kind_of(mime, os.path.splitext(name)[1][1:].lower())


@functools.lru_cache(maxsize=1024)
def _kind_of(mime: str, extension: str) -> str | None:
    # Asked for each file of a batch, a few times: a handful of types and extensions a batch over.
    kind = BY_MIME.get(mime)
    if kind is None and mime in ZIP_TYPES:
        kind = ZIP_BY_EXTENSION.get(extension) or OLE_BY_EXTENSION.get(extension)
    if kind is None and mime in OLE_TYPES:
        kind = OLE_BY_EXTENSION.get(extension)
    if kind in (None, "text") and mime.startswith("text/"):
        kind = TEXT_BY_EXTENSION.get(extension, kind)
    if kind is None and mime.startswith("text/") and mime not in NOT_PLAIN:
        kind = "text"
    return kind


def extract_text(data: bytes, mime: str, name: str = "", limits: Limits | None = None) -> Extracted:
    """The text of ``data`` (a whole file of type ``mime``), or ``TextRefused``.

    Precondition: ``text_kind(mime, name)`` is not None.
    """
    limits = limits or Limits()
    kind = text_kind(mime, name)
    if kind is None:
        raise ValueError(f"no text reader for {mime}")
    if len(data) > limits.max_bytes:
        raise TextRefused(message("text.too_large", size=len(data), limit=limits.max_bytes))
    sink, budget = Sink(limits.max_chars), Budget(limits)
    try:
        _read(kind, data, sink, budget)
    except Full:
        pass
    except RecursionError as error:
        raise TextRefused(message("text.too_deep", limit=limits.max_depth)) from error
    except MemoryError as error:  # a parser's own structure grew past memory: this file alone fails
        raise TextRefused(message("text.failed", reason="out of memory")) from error
    return sink.result()


def _read(kind: str, data: bytes, sink: Sink, budget: Budget) -> None:
    if kind == "text":
        plain_text(data, sink)
    elif kind == "html":
        html_text(data, sink)
    elif kind == "pdf":
        pdf_text(data, sink, budget)
    elif kind == "mail":
        mail_text(data, sink, budget)
    elif kind == "mbox":
        mbox_text(data, sink, budget)
    elif kind == "msg":
        outlook_text(data, sink, budget)
    else:
        office_text(data, kind, sink, budget)
