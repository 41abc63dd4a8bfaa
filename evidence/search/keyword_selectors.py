"""Reads of a dossier's keyword lists for its pages, its CSV export and the court report.

Preconditions: the dossier came from ``cases.selectors.dossier_for`` (the user is a member); the
hits' files (paths, hashes) are read only for who may see the dossier's files (``hits_for_export``'s
caller asks ``dossier_for(files=True)``). Counts per term and exhibit are shown to every member.
"""

from dataclasses import dataclass

from django.db.models import Count
from django.shortcuts import get_object_or_404

from evidence.models import Exhibit, KeywordHit, KeywordList, KeywordRun, KeywordTerm


def keyword_lists_of(dossier):
    """The dossier's lists, newest first, each annotated ``terms_count``."""
    lists = dossier.keyword_lists.annotate(terms_count=Count("terms")).select_related("created_by")
    return lists.order_by("-created_at", "-pk")


def keyword_list_of(dossier, pk: int) -> KeywordList:
    """The dossier's list ``pk``, else 404."""
    return get_object_or_404(dossier.keyword_lists, pk=pk)


def keyword_run_of(dossier, pk: int) -> KeywordRun:
    """The run ``pk`` of one of the dossier's lists, else 404."""
    return get_object_or_404(KeywordRun.objects.select_related("keyword_list"), keyword_list__dossier=dossier, pk=pk)


@dataclass
class HitRow:
    term: KeywordTerm
    cells: list[tuple[Exhibit, int]]  # files found per exhibit, in the order of the table's exhibits
    total: int


def hit_exhibits(run: KeywordRun) -> list[Exhibit]:
    """The exhibits where the run found at least one term, by seal number: the table's columns."""
    found = KeywordHit.objects.filter(run=run).order_by().values("exhibit_id").distinct()
    return list(Exhibit.objects.filter(pk__in=found).order_by("seal_number", "pk"))


def hit_rows(run: KeywordRun, terms, exhibits: list[Exhibit]) -> list[HitRow]:
    """One row per term of ``terms`` (a page of the run's list), with its files found per exhibit."""
    terms = list(terms)
    counts: dict[tuple[int, int], int] = {}
    rows = (
        KeywordHit.objects.filter(run=run, term__in=terms)
        .order_by()
        .values_list("term_id", "exhibit_id")
        .annotate(n=Count("id"))
    )
    for term_id, exhibit_id, number in rows:
        counts[term_id, exhibit_id] = number
    table = []
    for term in terms:
        cells = [(exhibit, counts.get((term.pk, exhibit.pk), 0)) for exhibit in exhibits]
        table.append(HitRow(term, cells, sum(count for _exhibit, count in cells)))
    return table


def hits_for_export(run: KeywordRun):
    """Every hit of the run with its term, exhibit and file, by term then exhibit then path."""
    return (
        KeywordHit.objects.filter(run=run)
        .select_related("term", "exhibit", "file")
        .only(
            "term__line",
            "term__term",
            "term__label",
            "exhibit__seal_number",
            "file__path",
            "file__sha256",
            "file__size",
            "file__mime",
            "file__triage",
        )
        .order_by("term__line", "exhibit__seal_number", "file__path", "pk")
    )


def last_runs_for_report(dossier) -> list[dict]:
    """Each of the dossier's lists, oldest first, with its last finished run, its terms and their
    files found per exhibit (a list never run: its terms, no counts)."""
    report = []
    for keyword_list in dossier.keyword_lists.order_by("created_at", "pk"):
        run = keyword_list.runs.filter(status=KeywordRun.Status.DONE).first()
        terms = keyword_list.terms.order_by("line")
        exhibits = hit_exhibits(run) if run else []
        rows = hit_rows(run, terms, exhibits) if run else [HitRow(term, [], 0) for term in terms]
        report.append({"list": keyword_list, "run": run, "exhibits": exhibits, "rows": rows})
    return report
