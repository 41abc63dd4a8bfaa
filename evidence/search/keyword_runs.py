"""A keyword list run over its dossier's texts, on a worker: term after term, each in a transaction.

Each term is looked for as the dossier's *Find in files* box looks for it (``texts_matching``: the
same query on PostgreSQL's tsvectors and on SQLite's FTS5, file names included) and every file
found is kept as a hit, written by the database in one INSERT ... SELECT (a term found in a million
files sends no row through Python). A run taken up again (its worker died, its message was queued
again) goes on after the last term done.
"""

from django.db import connection, transaction
from django.utils import timezone

from audit.services import audit_record
from config.work_locks import claim
from evidence.background import background_job_fail
from evidence.models import FileText, KeywordHit, KeywordRun, KeywordTerm
from evidence.search.selectors import texts_matching
from texts.query import QueryRefused

HITS = KeywordHit._meta.db_table


def keyword_run_execute(*, run: KeywordRun) -> None:
    """Look for each term of the run's list not done yet; precondition: the run was started by
    ``keyword_run_start`` (its list in a dossier whose team asked for it)."""
    with claim("keyword_run", run.pk) as mine:
        if not mine:
            return
        run.refresh_from_db()
        if run.is_finished:
            return
        KeywordRun.objects.filter(pk=run.pk).update(status=KeywordRun.Status.RUNNING)
        texts = FileText.objects.filter(exhibit__dossier_id=run.keyword_list.dossier_id)
        for term in run.keyword_list.terms.filter(line__gt=run.last_line).order_by("line"):
            with transaction.atomic():
                found = _hits_insert(run, term, texts)
                run.terms_done += 1
                run.hits += max(found, 0)
                run.errors += found < 0
                run.last_line = term.line
                run.save(update_fields=["terms_done", "hits", "errors", "last_line"])
        with transaction.atomic():
            run.status, run.finished_at = KeywordRun.Status.DONE, timezone.now()
            run.save(update_fields=["status", "finished_at"])
            audit_record(
                actor=None,
                action="keyword_run.done",
                target=run,
                terms=run.terms_done,
                hits=run.hits,
                errors=run.errors,
            )


def _hits_insert(run: KeywordRun, term: KeywordTerm, texts) -> int:
    """Keep a hit for each file holding ``term``; the number of files, or -1 if the search refuses it."""
    try:
        found = texts_matching(texts, term.term)
    except QueryRefused:
        return -1
    # order_by(): no ordering column may join the DISTINCT (FileText is ordered by file, kind, part).
    sql, params = found.order_by().values("file_id", "exhibit_id").distinct().query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {HITS} (run_id, term_id, file_id, exhibit_id)"  # noqa: S608 - our own tables; values as parameters
            f" SELECT %s, %s, found.file_id, found.exhibit_id FROM ({sql}) AS found",
            [run.pk, term.pk, *params],
        )
        return cursor.rowcount


def keyword_run_fail(*, run_id: int, reason) -> None:
    """Record why it stopped, so that it does not stay "running" for good."""
    background_job_fail(KeywordRun, pk=run_id, reason=reason, action="keyword_run.failed", progress="terms_done")
