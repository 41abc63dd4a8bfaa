"""Messages written by workers, stored as a code and its parameters, rendered in the reader's language.

A worker (an archive walk, a disk-image listing, a hash-list import, a chat export reading) does not
know who will read what it found: it stores ``{"code": "archive.member_encrypted", "params": {...}}``
(``message``), never a sentence. Each app declares the codes it writes in its own catalogue
(``evidence/messages.py``, ``hashing/messages.py``, ``chats/messages.py``): code -> a ``gettext_lazy``
format string with named ``%(param)s`` placeholders, registered here when the catalogue module is
imported. This module is the lowest layer: it renders through the registry and never imports the
apps above it.

A parameter is left as stored (a path, the text of a third-party library's exception, such as
py7zr's or Pillow's, which stays untranslated inside the translated sentence), except a parameter
that is itself a message (rendered too) and an integer: a quantity, grouped the reader's way
("1,048,576" / "1 048 576" / "1.048.576"). A number that names a place (a line, a byte offset
in a parse error, a batch) is given as text, so that it reads as the file's tools show it.
"""

from collections.abc import Mapping
from typing import Any

from django.utils import formats, translation

Message = dict[str, Any]

# code -> lazy format string; filled by each app's catalogue at import.
CATALOGUE: dict[str, Any] = {}


def register(catalogue: Mapping[str, Any]) -> None:
    """Add an app's codes. A code is declared once: two apps cannot give it two meanings."""
    for code, text in catalogue.items():
        if code in CATALOGUE and CATALOGUE[code] is not text:
            raise ValueError(f"message code {code!r} is declared twice")
        CATALOGUE[code] = text


def message(code: str, **params: Any) -> Message:
    """What a worker stores: a code and its parameters (plain JSON values, or messages)."""
    return {"code": code, "params": params}


def is_message(value: Any) -> bool:
    return isinstance(value, Mapping) and isinstance(value.get("code"), str)


def _param(value: Any) -> Any:
    if is_message(value):
        return render(value)
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return formats.number_format(value, force_grouping=True)
    return value


def render(value: Any) -> str:
    """``value`` in the active language.

    Old rows hold a plain English sentence (written before codes existed) and a row may name a code
    this installation does not know (written by a newer worker): both are shown as stored, never
    dropped, so that nothing recorded is lost from view.
    """
    if value is None:
        return ""
    if isinstance(value, list):  # a job's error lines
        return "\n".join(render(line) for line in value)
    if not is_message(value):
        return str(value)
    text = CATALOGUE.get(value["code"])
    params = {name: _param(param) for name, param in (value.get("params") or {}).items()}
    if text is None:
        shown = ", ".join(f"{name}={param}" for name, param in params.items())
        return f"{value['code']} ({shown})" if shown else value["code"]
    try:
        return str(text) % params
    except (KeyError, TypeError, ValueError):
        # A translation that names a parameter the row lacks: the English sentence still reads.
        with translation.override("en"):
            return str(text) % params


def english(value: Any) -> str:
    """``value`` in English: for logs, the command line and text kept alongside the code."""
    with translation.override("en"):
        return render(value)


def code_of(value: Any) -> str:
    """The code of a stored message, or '' for a legacy sentence."""
    return value["code"] if is_message(value) else ""


def reason_of(error: BaseException) -> Any:
    """What to store of a caught error: its message if it carries one (``MessageError``), else its
    own text (a library's words, kept untranslated)."""
    return error.message if isinstance(error, MessageError) else str(error)


class MessageError(Exception):
    """An error whose reason is a stored message: ``message`` to store, ``str()`` to read it in the
    active language (so that a form or a log showing ``str(error)`` needs no change)."""

    @property
    def message(self) -> Any:
        return self.args[0] if self.args else ""

    def __str__(self) -> str:
        return render(self.message)

    def __repr__(self) -> str:
        # A library that wraps the error in its own (pytsk3 quotes our read errors by repr) keeps
        # words, not a dictionary.
        return f"{type(self).__name__}({english(self.message)!r})"
