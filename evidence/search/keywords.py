"""Keyword lists of a dossier: imported (one term a line, ``texts.keywords``), then run as a job."""

import io
from collections.abc import Iterator

from django.conf import settings
from django.db import transaction

from audit.services import audit_record
from config.spreadsheets import SpreadsheetWriter
from evidence.models import KeywordList, KeywordRun, KeywordTerm
from evidence.search.keyword_selectors import hits_for_export
from evidence.tasks import keyword_list_run
from texts.keywords import read_keyword_list


@transaction.atomic
def keyword_list_import(
    *, dossier, name: str, text: str, by, file_name: str = "", ip: str | None = None
) -> KeywordList:
    """A keyword list of the dossier from ``text``: its terms, and the lines refused with their line
    number and reason (the others are kept all the same). Precondition: ``by`` may write in the
    dossier. Raises ``texts.keywords.KeywordListTooLong`` past KEYWORD_LIST_MAX_TERMS (nothing kept)."""
    read = read_keyword_list(
        text, max_terms=settings.KEYWORD_LIST_MAX_TERMS, max_line_chars=settings.KEYWORD_LINE_MAX_CHARS
    )
    keyword_list = KeywordList.objects.create(
        dossier=dossier,
        name=name,
        file_name=file_name[:255],
        lines=len(text.splitlines()),
        rejected=[[line, reason] for line, reason in read.rejected],
        created_by=by,
    )
    KeywordTerm.objects.bulk_create(
        KeywordTerm(keyword_list=keyword_list, line=item.line, term=item.term, label=item.label) for item in read.terms
    )
    audit_record(
        actor=by,
        action="keyword_list.import",
        target=keyword_list,
        ip=ip,
        name=name,
        file_name=file_name,
        terms=len(read.terms),
        rejected=len(read.rejected),
    )
    return keyword_list


@transaction.atomic
def keyword_run_start(*, keyword_list: KeywordList, by, ip: str | None = None, queue: bool = True) -> KeywordRun:
    """A run of the list over its dossier's texts, queued after commit; the run already queued or
    running if there is one. Precondition: ``by`` may write in the dossier and see its files."""
    running = keyword_list.runs.filter(status__in=[KeywordRun.Status.QUEUED, KeywordRun.Status.RUNNING])
    if (run := running.first()) is not None:
        return run
    run = KeywordRun.objects.create(keyword_list=keyword_list, terms_total=keyword_list.terms.count(), created_by=by)
    audit_record(actor=by, action="keyword_run.start", target=run, ip=ip, terms=run.terms_total)
    if queue:
        transaction.on_commit(lambda: keyword_list_run.delay(run.pk))
    return run


EXPORT_FIELDS = ("line", "term", "label", "exhibit", "path", "sha256", "size", "mime", "triage")


@transaction.atomic
def keyword_hits_export(*, run: KeywordRun, by, ip: str | None = None) -> tuple[Iterator[str], str]:
    """The run's hits as CSV (spreadsheet-safe), one line per term and file, and the file's name;
    the export is audited with its rows. Precondition: ``by`` may see the dossier's files."""
    hits = hits_for_export(run)
    rows = hits.count()
    dossier = run.keyword_list.dossier
    audit_record(actor=by, action="keyword_hits.export", target=run, ip=ip, rows=rows, list=run.keyword_list.name)
    name = f"keyword-hits-{dossier.notice_number.replace('/', '-').replace('.', '-')}-{run.pk}.csv"
    return _csv_lines(hits), name


def _csv_lines(hits) -> Iterator[str]:
    buffer = io.StringIO()
    writer = SpreadsheetWriter(buffer)
    writer.writerow(EXPORT_FIELDS)
    for hit in hits.iterator(chunk_size=2000):
        sha256 = bytes(hit.file.sha256).hex() if hit.file.sha256 is not None else ""
        writer.writerow(
            [hit.term.line, hit.term.term, hit.term.label, hit.exhibit.seal_number, hit.file.path, sha256]
            + [hit.file.size, hit.file.mime, hit.file.triage]
        )
        if buffer.tell() > 1 << 16:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()
