"""A keyword list read from text: one term a line, in the search box's syntax, with an optional label.

A line is ``term`` or ``term<TAB>label`` or ``term;label``: a tab, when the line holds one, parts
the term from its label, else its first semicolon (a semicolon means nothing in a term: the search
keeps only letters and digits). Blank lines are skipped. A line that cannot be a term (an empty term,
a term the search syntax refuses or that looks for nothing, a line or a label too long, a term given
twice) is kept aside with its line number and its reason, and every other line is read: a bad line
never costs the good ones. Plain Python: the limits come from the caller.
"""

from dataclasses import dataclass, field

from config.messages import Message, message
from texts.query import QueryRefused, parse

LABEL_MAX_CHARS = 200


@dataclass(frozen=True)
class KeywordLine:
    line: int  # 1 for the first line of the text
    term: str
    label: str = ""


@dataclass
class KeywordListRead:
    terms: list[KeywordLine] = field(default_factory=list)
    # (line number, why the line was not taken), in the order of the text
    rejected: list[tuple[int, Message]] = field(default_factory=list)


class KeywordListTooLong(ValueError):
    """More terms than the limit: the list is refused whole, so that none is silently left out."""

    def __init__(self, limit: int):
        super().__init__(limit)
        self.limit = limit


def split_line(line: str) -> tuple[str, str]:
    """The term and the label of one line (the label "" when it has none), each stripped."""
    separator = "\t" if "\t" in line else ";"
    term, _, label = line.partition(separator)
    return term.strip(), label.strip()


def read_keyword_list(text: str, *, max_terms: int, max_line_chars: int) -> KeywordListRead:
    """The terms of ``text`` and the lines refused. Raises ``KeywordListTooLong`` when the text holds
    more than ``max_terms`` lines that are not blank."""
    lines = text.splitlines()
    if sum(1 for line in lines if line.strip()) > max_terms:
        raise KeywordListTooLong(max_terms)
    read = KeywordListRead()
    first_seen: dict[str, int] = {}
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        reason = None
        term, label = split_line(line)
        if len(line) > max_line_chars:
            reason = message("keyword.line_too_long", length=len(line), limit=max_line_chars)
        elif not term:
            reason = message("keyword.empty_term")
        elif len(label) > LABEL_MAX_CHARS:
            reason = message("keyword.label_too_long", limit=LABEL_MAX_CHARS)
        else:
            try:
                if parse(term) is None:
                    reason = message("keyword.nothing_to_find")
            except QueryRefused as refusal:
                reason = message("keyword.refused", reason=refusal.message)
        if reason is None and term in first_seen:
            reason = message("keyword.duplicate", line=str(first_seen[term]))
        if reason is not None:
            read.rejected.append((number, reason))
            continue
        first_seen[term] = number
        read.terms.append(KeywordLine(number, term, label))
    return read
