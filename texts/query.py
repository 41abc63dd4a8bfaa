"""The search box's syntax, parsed once and written for each database's full-text engine.

Users type: words (all must be found), "a phrase", OR between two words or phrases, -word (must not
be found), prefix* (any word starting so). Every word is reduced to its letters and digits before
it reaches an engine, and each engine's query is written from those words only: what a user types
never reaches PostgreSQL's ``to_tsquery`` or SQLite's FTS5 ``MATCH`` as syntax. A query that does
not parse raises ``QueryRefused`` with a message for the user.
"""

import re
from dataclasses import dataclass

from config.messages import MessageError, message

MAX_TERMS = 32
TOKENS = re.compile(r'\s*(?:(-?)"([^"]*)("?)|(\S+))')
WORDS = re.compile(r"[^\W_]+")


class QueryRefused(MessageError, ValueError):
    """The query does not parse: ``message`` says why, in the user's words."""


@dataclass(frozen=True)
class Term:
    words: tuple[str, ...]  # one word, or a phrase's words in order
    prefix: bool = False
    negated: bool = False


@dataclass(frozen=True)
class Query:
    """Clauses that must all hold; a clause holds when any of its terms is found (OR), or, for a
    negated term (always alone in its clause), when it is not."""

    clauses: tuple[tuple[Term, ...], ...]

    @property
    def terms(self) -> list[Term]:
        return [term for clause in self.clauses for term in clause]


def _terms(text: str) -> list:
    """Terms and the "OR" keyword, in order."""
    found = []
    for negated, phrase, closed, word in TOKENS.findall(text):
        if word == "OR":
            found.append("OR")
        elif word:
            is_negated = word.startswith("-") and len(word) > 1
            body = word[1:] if is_negated else word
            if '"' in body:
                raise QueryRefused(message("search.unbalanced_quote"))
            words = tuple(WORDS.findall(body.lower()))
            if words:
                found.append(Term(words, prefix=body.endswith("*"), negated=is_negated))
        else:
            if not closed:
                raise QueryRefused(message("search.unbalanced_quote"))
            words = tuple(WORDS.findall(phrase.lower()))
            if words:
                found.append(Term(words, negated=bool(negated)))
    return found


def parse(text: str) -> Query | None:
    """The query ``text`` means; None when it holds nothing to look for (an empty box)."""
    found = _terms(text)
    if not found:
        return None
    if len([term for term in found if term != "OR"]) > MAX_TERMS:
        raise QueryRefused(message("search.too_long", limit=MAX_TERMS))
    clauses: list[list[Term]] = []
    joining = False
    for position, item in enumerate(found):
        if item == "OR":
            if joining or not clauses or position == len(found) - 1:
                raise QueryRefused(message("search.dangling_or"))
            if clauses[-1][-1].negated:
                raise QueryRefused(message("search.not_in_or"))
            joining = True
            continue
        if joining:
            if item.negated:
                raise QueryRefused(message("search.not_in_or"))
            clauses[-1].append(item)
        else:
            clauses.append([item])
        joining = False
    if all(clause[0].negated for clause in clauses):
        raise QueryRefused(message("search.only_not"))
    return Query(tuple(tuple(clause) for clause in clauses))


def to_fts5(query: Query) -> str:
    """SQLite FTS5: each term a quoted string (a phrase when it has several words), then NOTs last."""

    def term(t: Term) -> str:
        return '"' + " ".join(t.words) + '"' + (" *" if t.prefix else "")

    positive = [clause for clause in query.clauses if not clause[0].negated]
    negative = [clause[0] for clause in query.clauses if clause[0].negated]
    text = " AND ".join("(" + " OR ".join(term(t) for t in clause) + ")" for clause in positive)
    return "(" + text + ")" + "".join(f" NOT {term(t)}" for t in negative)


def to_tsquery(query: Query) -> str:
    """PostgreSQL ``to_tsquery`` text: quoted words, <-> between a phrase's words, :* for a prefix."""

    def term(t: Term) -> str:
        # A quoted run of words is a phrase to PostgreSQL, which counts the stop words it drops.
        *head, last = t.words
        if t.prefix:
            text = (f"'{' '.join(head)}' <-> " if head else "") + f"'{last}':*"
        else:
            text = "'" + " ".join(t.words) + "'"
        return f"!({text})" if t.negated else f"({text})"

    return " & ".join("(" + " | ".join(term(t) for t in clause) + ")" for clause in query.clauses)


SUBSTRING_MIN = 3


def substring_of(text: str) -> str | None:
    """What a query of one plain term (no phrase, OR, NOT or prefix) also looks for inside file
    names, as typed: part of an identifier ("0470123" in "IMG_0470123.jpg"). None otherwise."""
    term = text.strip()
    if len(term) < SUBSTRING_MIN or len(term) > 200 or any(ch.isspace() for ch in term):
        return None
    if term.startswith("-") or term.endswith("*") or '"' in term or term == "OR":
        return None
    return term


def like_pattern(term: str) -> str:
    """``term`` as a LIKE pattern matching it anywhere, its wildcards escaped (ESCAPE '\\')."""
    escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"
