"""Searching a dossier's files by their text: scoped to who may see its files, ranked, with snippets.

PostgreSQL: each part's ``search`` tsvector (migration 0023) against ``to_tsquery`` in the part's
language, ranked by ``ts_rank``, snippets by ``ts_headline``. SQLite: the FTS5 copy, ``bm25`` and
``snippet()``. The engines receive only what ``texts.query`` writes from the user's words.
"""

import json
from dataclasses import dataclass

from django.conf import settings
from django.db import connection
from django.db.models import FloatField, Q, Value
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from cases.selectors import can_see_files, dossiers_with_files_visible_to
from evidence.models import LANGUAGES, TEXT_LANGUAGES, FileIdentifier, FileText
from evidence.search.store import FTS_TABLE
from texts.identifiers import Identifier, identifier_of
from texts.query import Query, like_pattern, parse, substring_of, to_fts5, to_tsquery

TABLE = FileText._meta.db_table
IDENTIFIERS = FileIdentifier._meta.db_table
# What the type filter offers: a label's MIME types (as libmagic names them; docx by name too).
TYPES = {
    "pdf": ("application/pdf",),
    "office": (
        "application/vnd.openxmlformats-officedocument.",
        "application/vnd.oasis.opendocument.",
        "application/zip",
    ),
    "mail": ("message/rfc822",),
    "text": ("text/",),
    "picture": ("image/",),
}
# A page shows snippets (snippets_for), never whole parts of up to TEXT_PART_CHARS, nor hashes' variants.
DEFERRED = ("text", "file__pdq_variants", "file__phash_variants", "file__match_detail")
HEADLINE = 'MaxWords=30, MinWords=12, MaxFragments=2, FragmentDelimiter=" … "'
START, STOP = "\x02", "\x03"  # never in a stored text (texts.sink.CONTROLS)


@dataclass(frozen=True)
class SearchFilters:
    exhibit: int | None = None
    type: str = ""
    kind: str = ""
    triage: str = ""
    modified_from: object = None
    modified_to: object = None


def _config(column: str = "language") -> str:
    cases = " ".join(f"WHEN '{name}' THEN 'scelle_{name}'::regconfig" for name in LANGUAGES if name != "simple")
    return f"CASE {TABLE}.{column} {cases} ELSE 'scelle_simple'::regconfig END"


def file_texts_search(user, dossier, query: str, filters: SearchFilters | None = None, *, ranked: bool = True):
    """The parts of the dossier's files whose text (or name) matches ``query``, best first, each
    annotated ``rank``; none when ``user`` may not see the dossier's files (prosecutors, outsiders).
    ``ranked=False``: in file order, unranked (``rank`` 0), which costs no read of each part's words.
    A query that is one identifier in any usual form (a phone number, an IBAN, an e-mail address...)
    also finds the files holding it as ``texts.identifiers`` normalised it ("0470 12 34 56" finds
    "+32 470 12 34 56"): their text's first part, or their name, where it was found.
    Raises ``texts.query.QueryRefused`` for a query that does not parse; an empty box finds nothing."""
    parsed = parse(query)
    texts = FileText.objects.none()
    if parsed is None or not can_see_files(user, dossier):
        return texts
    texts = FileText.objects.filter(
        exhibit__dossier=dossier, exhibit__dossier__in=dossiers_with_files_visible_to(user)
    ).select_related("file", "exhibit")
    texts = texts.defer(*DEFERRED)
    texts = _filtered(texts, filters or SearchFilters())
    also = _also(query)
    if not ranked:
        matching = _matching(texts, parsed, also).annotate(rank=Value(0.0, output_field=FloatField()))
        return matching.order_by("file_id", "kind", "part")
    if connection.vendor == "postgresql":
        return _postgresql(texts, parsed, also)
    return _sqlite(texts, parsed, also)


@dataclass(frozen=True)
class TextHits:
    """What the search box found: ``texts`` best first, or, when more than TEXT_RANK_MAX parts match
    (``ranked`` False), in file order and counted only up to ``count`` = TEXT_RANK_MAX + 1."""

    texts: object
    ranked: bool
    count: int | None = None


def file_texts_found(user, dossier, query: str, filters: SearchFilters | None = None) -> TextHits:
    """``file_texts_search`` for the search tab: ranking reads every matching part's words, so a word
    found in most of a big dossier (bench/text_search.py: seconds at half a million parts) is shown
    in file order instead, the user told to add words; a rarer one is ranked as usual."""
    limit = settings.TEXT_RANK_MAX
    unranked = file_texts_search(user, dossier, query, filters, ranked=False)
    # The first parts found, in the table's order (about the order they were indexed in): counted
    # up to limit + 1, and past the limit listed in file order, each page read by its parts' ids.
    # Sorting every matching part in the database read them all (a word in 100,000 parts of a
    # dossier of 10 million: 5-16 s for a first page, bench/text_search.py).
    first = list(unranked.order_by().values_list("file_id", "kind", "part", "pk")[: limit + 1])
    if len(first) > limit:
        first.sort()
        return TextHits(texts=_InOrder(unranked, [row[-1] for row in first]), ranked=False, count=len(first))
    return TextHits(texts=file_texts_search(user, dossier, query, filters), ranked=True, count=len(first))


class _InOrder:
    """The parts of ``ids`` in that order, as a sequence a paginator slices: a page read by its ids."""

    def __init__(self, texts, ids: list[int]) -> None:
        self.texts, self.ids = texts, ids

    def __len__(self) -> int:
        return len(self.ids)

    def count(self) -> int:
        return len(self.ids)

    def __getitem__(self, index):
        ids = self.ids[index] if isinstance(index, slice) else [self.ids[index]]
        found = {text.pk: text for text in self.texts.filter(pk__in=ids).order_by()}
        page = [found[pk] for pk in ids if pk in found]
        return page if isinstance(index, slice) else page[0]


def _or_names(substring: str | None) -> tuple[str, list]:
    """A condition matching file names holding ``substring`` (an OR branch of the search), or none.
    On PostgreSQL the partial trigram index on names (migration 0023) answers ILIKE; SQLite's LIKE
    ignores the case of ASCII letters."""
    if substring is None:
        return "", []
    operator = "ILIKE" if connection.vendor == "postgresql" else "LIKE"
    condition = f" OR ({TABLE}.kind = 'name' AND {TABLE}.text {operator} %s ESCAPE '\\')"
    return condition, [like_pattern(substring)]


def _or_identifier(found: Identifier | None) -> tuple[str, list]:
    """A condition matching the parts where the files' identifiers equal to ``found`` were seen (an
    OR branch of the search), or none. The parts are looked up first (the value's index finds the
    files) and given as ids: an ``id IN (subquery)`` among the OR branches kept PostgreSQL from
    combining the branches' indexes, and it read every part instead (5 s at 10 million parts)."""
    if found is None:
        return "", []
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT t.id FROM {TABLE} t JOIN {IDENTIFIERS} i"  # noqa: S608 - our own tables
            # Found in a chat export's messages: the hit is its JSON's text.
            " ON i.file_id = t.file_id AND (i.found_in = t.kind OR (i.found_in = 'message' AND t.kind = 'content'))"
            " WHERE i.value = %s AND i.kind = %s AND (t.kind = 'name' OR t.part = 0)",
            [found.value, found.kind],
        )
        ids = [row[0] for row in cursor.fetchall()]
    if not ids:
        return "", []
    if connection.vendor == "postgresql":
        return f" OR {TABLE}.id = ANY(%s)", [ids]
    return f" OR {TABLE}.id IN (SELECT value FROM json_each(%s))", [json.dumps(ids)]  # noqa: S608 - our own table


def _filtered(texts, filters: SearchFilters):
    if filters.exhibit:
        texts = texts.filter(exhibit_id=filters.exhibit)
    if filters.kind:
        texts = texts.filter(kind=filters.kind)
    if filters.triage:
        texts = texts.filter(file__triage=filters.triage)
    if filters.type in TYPES:
        match = Q()
        for prefix in TYPES[filters.type]:
            match |= Q(file__mime__startswith=prefix)
        texts = texts.filter(match).exclude(kind=FileText.Kind.NAME)
    if filters.modified_from:
        texts = texts.filter(file__modified_time__date__gte=filters.modified_from)
    if filters.modified_to:
        texts = texts.filter(file__modified_time__date__lte=filters.modified_to)
    return texts


def texts_matching(texts, query: str):
    """``texts`` (FileText rows) narrowed to the parts matching ``query``, unranked: the search of
    ``file_texts_search`` without its scope, for a worker looking on behalf of a dossier's team (a
    keyword run). Raises ``texts.query.QueryRefused``; an empty query matches nothing."""
    parsed = parse(query)
    if parsed is None:
        return texts.none()
    return _matching(texts, parsed, _also(query))


def _also(query: str) -> tuple[str, list]:
    """The OR branches beside the words: file names holding the query, files holding it as an identifier."""
    names, names_params = _or_names(substring_of(query))
    identifier, identifier_params = _or_identifier(identifier_of(query, region=settings.PHONE_REGION))
    return names + identifier, names_params + identifier_params


def _matching(texts, parsed: Query, also: tuple[str, list]):
    others, others_params = also
    if connection.vendor == "postgresql":
        tsquery = to_tsquery(parsed)
        # One branch per language, each with a constant query: the GIN index answers each of them.
        branches = " OR ".join(
            f"({TABLE}.language = '{name}' AND {TABLE}.search @@ to_tsquery('scelle_{name}', %s))" for name in LANGUAGES
        )
        return texts.extra(where=[f"({branches}{others})"], params=[tsquery] * len(LANGUAGES) + others_params)  # noqa: S610
    matching = f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s"  # noqa: S608 - our own table
    return texts.extra(where=[f"({TABLE}.id IN ({matching}){others})"], params=[to_fts5(parsed), *others_params])  # noqa: S610


def _postgresql(texts, parsed: Query, also: tuple[str, list]):
    tsquery = to_tsquery(parsed)
    return (
        _matching(texts, parsed, also)
        .annotate(rank=RawSQL(f"ts_rank({TABLE}.search, to_tsquery({_config()}, %s))", [tsquery]))  # noqa: S611
        .order_by("-rank", "file_id", "kind", "part")
    )


def _sqlite(texts, parsed: Query, also: tuple[str, list]):
    fts = to_fts5(parsed)
    rank = f"SELECT -bm25({FTS_TABLE}) FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s AND rowid = {TABLE}.id"  # noqa: S608
    return (
        _matching(texts, parsed, also)
        .annotate(rank=Coalesce(RawSQL(rank, [fts], output_field=FloatField()), Value(0.0)))  # noqa: S611 - our own SQL, the query as a parameter
        .order_by("-rank", "file_id", "kind", "part")
    )


def highlighted(snippet: str) -> SafeString:
    """A snippet escaped, then its highlights (between START and STOP) marked."""
    text = escape(snippet).replace(START, "<mark>").replace(STOP, "</mark>")
    if text.count("<mark>") != text.count("</mark>"):
        text = text.replace("<mark>", "").replace("</mark>", "")
    return mark_safe(text)  # noqa: S308 - escaped above; only our own <mark> added


def snippets_for(texts: list[FileText], query: str) -> None:
    """Give each part of ``texts`` (a page of results) its ``snippet``: the words found, highlighted."""
    parsed = parse(query)
    if parsed is None or not texts:
        return
    ids = [text.pk for text in texts]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            options = f'StartSel="{START}", StopSel="{STOP}", ' + HEADLINE
            cursor.execute(
                f"SELECT id, ts_headline({_config()}, {TABLE}.text, to_tsquery({_config()}, %s), %s)"  # noqa: S608
                f" FROM {TABLE} WHERE id = ANY(%s)",
                [to_tsquery(parsed), options, ids],
            )
        else:
            marks = ", ".join(["%s"] * len(ids))
            cursor.execute(
                f"SELECT rowid, snippet({FTS_TABLE}, 0, %s, %s, ' … ', 24) FROM {FTS_TABLE}"  # noqa: S608
                f" WHERE {FTS_TABLE} MATCH %s AND rowid IN ({marks})",
                [START, STOP, to_fts5(parsed), *ids],
            )
        found = dict(cursor.fetchall())
    identifier = identifier_of(query, region=settings.PHONE_REGION)
    if identifier is not None:
        # ts_headline gives a part's first words when none of them matched: no mark, no snippet
        bare = [text for text in texts if START not in found.get(text.pk, "")]
        found.update(_identifier_snippets(bare, identifier))
    for text in texts:
        text.snippet = highlighted(found.get(text.pk, ""))


SNIPPET_SIDE = 70  # characters of context on each side of an identifier


def _identifier_snippets(texts: list[FileText], identifier: Identifier) -> dict[int, str]:
    """Snippets of the parts found through ``identifier`` rather than by their words ("470 12 34 56"
    typed, "0470/12.34.56" written): the identifier as the text wrote it (its ``raw`` form, recorded
    where it was found), marked, with the words around it."""
    if not texts:
        return {}
    raws: dict[int, list[str]] = {}
    for file_id, raw in FileIdentifier.objects.filter(
        file_id__in={text.file_id for text in texts}, kind=identifier.kind, value=identifier.value
    ).values_list("file_id", "raw"):
        raws.setdefault(file_id, []).append(raw)
    bodies = dict(FileText.objects.filter(pk__in=[text.pk for text in texts]).values_list("pk", "text"))
    snippets = {}
    for text in texts:
        body = bodies.get(text.pk, "")
        for raw in raws.get(text.file_id, []):
            at = body.find(raw) if raw else -1
            if at >= 0:
                snippets[text.pk] = _around(body, at, at + len(raw))
                break
    return snippets


def _around(body: str, at: int, to: int) -> str:
    """``body[at:to]`` marked, with up to SNIPPET_SIDE characters each side, cut between words."""
    start, end = max(0, at - SNIPPET_SIDE), min(len(body), to + SNIPPET_SIDE)
    if start > 0:
        start = body.find(" ", start, at) + 1 or start
    if end < len(body):
        cut = body.rfind(" ", to, end)
        end = cut if cut > 0 else end
    before = " ".join(body[start:at].split()) + (" " if at > start and body[at - 1].isspace() else "")
    after = (" " if to < end and body[to].isspace() else "") + " ".join(body[to:end].split())
    return f"{'… ' if start > 0 else ''}{before}{START}{body[at:to]}{STOP}{after}{' …' if end < len(body) else ''}"


@dataclass(frozen=True)
class FileTextShown:
    text: str
    truncated: bool
    error: object
    # The languages its words are searched in (their names, in the order of its parts), and whether
    # they are those detected in it (an exhibit in "auto") rather than the exhibit's choice.
    languages: tuple = ()
    detected: bool = False


def file_text_of(evidence_file, kind: str = FileText.Kind.CONTENT) -> FileTextShown | None:
    """The text extracted from the file (its parts joined), or read from its pictures (``kind`` OCR),
    or None when none was read. Precondition: ``evidence_file`` came from
    ``evidence.selectors.evidence_file_for`` (the user may see it)."""
    parts = list(evidence_file.texts.filter(kind=kind).order_by("part"))
    if not parts:
        return None
    worded = [part for part in parts if part.text]
    names = dict(TEXT_LANGUAGES)
    return FileTextShown(
        text="".join(part.text for part in parts),
        truncated=any(part.truncated for part in parts),
        error=next((part.error for part in parts if part.error), ""),
        languages=tuple(names.get(code, code) for code in dict.fromkeys(part.language for part in worded)),
        detected=bool(worded) and all(part.language == part.detected_language for part in worded),
    )
