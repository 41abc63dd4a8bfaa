"""Keyword lists: imported into a dossier (bad lines listed, the rest kept), run over its files by a
real worker, their hits counted per term and exhibit, exported as CSV and printed in the report."""

import csv
import io

import pytest
from django.urls import reverse

from audit.models import AuditEvent
from config.messages import code_of
from evidence.models import EvidenceFile, IngestBatch, IngestJob, KeywordHit, KeywordList, KeywordRun
from evidence.search.keyword_runs import keyword_run_execute, keyword_run_fail
from evidence.search.keywords import keyword_list_import, keyword_run_start
from evidence.search.store import file_texts_save
from tests.factories import make_exhibit, wait_until
from tests.reports.test_dossier_report import pdf_text
from texts.sink import Extracted

LIST = 'darkfalcon;nickname\n\n;no term\n"rue de la loi"\tstreet\n"unclosed\nnight*\nnobodyhere\n'


def stored_document(exhibit, owner, path: str, text: str) -> EvidenceFile:
    job = IngestJob.objects.create(exhibit=exhibit, source_label="test", created_by=owner, status="done")
    batch = IngestBatch.objects.create(job=job, number=1, status="done")
    record = EvidenceFile.objects.create(
        exhibit=exhibit,
        job=job,
        batch=batch,
        path=path,
        source_path="/nonexistent",
        mime="text/plain",
        triage="other",
        size=len(text),
        sha256=bytes(32),
    )
    record.extracted_text = Extracted(text)
    file_texts_save([record])
    return record


@pytest.fixture
def documents(dossier, exhibit, owner):
    second = make_exhibit(dossier, "SC-2", by=owner)
    return [
        stored_document(exhibit, owner, "SC-1/chat.txt", "Rendez-vous avec darkfalcon rue de la Loi."),
        stored_document(exhibit, owner, "SC-1/notes.txt", "darkfalcon sells to nightowl"),
        stored_document(second, owner, "SC-2/mail.txt", "nighthawk and darkfalcon"),
        stored_document(second, owner, "SC-2/other.txt", "nothing to see"),
    ]


def import_page(client, dossier, **data):
    return client.post(reverse("keyword_list_new", args=[dossier.pk]), {"name": "Op. Falcon", **data})


def test_an_import_keeps_the_good_lines_and_lists_the_bad_ones(client, owner, dossier):
    client.force_login(owner)
    upload = io.BytesIO(LIST.replace("darkfalcon;", "darkfalcon;café ").encode("cp1252"))
    upload.name = "falcon.txt"
    response = import_page(client, dossier, file=upload)
    keyword_list = KeywordList.objects.get(dossier=dossier)
    assert response.status_code == 302 and response["Location"].endswith(f"/keywords/{keyword_list.pk}/")
    assert [(t.line, t.term, t.label) for t in keyword_list.terms.all()] == [
        (1, "darkfalcon", "café nickname"),
        (4, '"rue de la loi"', "street"),
        (6, "night*", ""),
        (7, "nobodyhere", ""),
    ]
    assert [(line, code_of(reason)) for line, reason in keyword_list.rejected] == [
        (3, "keyword.empty_term"),
        (5, "keyword.refused"),
    ]
    event = AuditEvent.objects.get(action="keyword_list.import")
    assert event.detail["terms"] == 4 and event.detail["rejected"] == 2 and event.dossier_id == dossier.pk
    page = client.get(response["Location"]).content.decode()
    assert 'data-testid="keyword-rejected"' in page and "no term before the label" in page


def test_a_list_over_the_limit_is_refused_whole(client, owner, dossier, settings):
    settings.KEYWORD_LIST_MAX_TERMS = 2
    client.force_login(owner)
    response = import_page(client, dossier, text="a\nb\nc")
    assert response.status_code == 200 and "more than 2 terms" in response.content.decode()
    assert not KeywordList.objects.exists()
    assert import_page(client, dossier, text="a\nb").status_code == 302  # control


def test_prosecutors_and_outsiders_may_not_import_and_the_team_may(client, owner, prosecutor, outsider, dossier):
    for person, status in ((outsider, 404), (prosecutor, 403)):
        client.force_login(person)
        assert import_page(client, dossier, text="darkfalcon").status_code == status
    assert not KeywordList.objects.exists()
    client.force_login(owner)  # control
    assert import_page(client, dossier, text="darkfalcon").status_code == 302


@pytest.mark.django_db(transaction=True)
def test_a_run_on_a_worker_counts_files_per_term_and_exhibit(
    client, owner, colleague, prosecutor, outsider, dossier, exhibit, documents, celery_worker
):
    keyword_list = keyword_list_import(dossier=dossier, name="Op. Falcon", text=LIST, by=owner)
    start = reverse("keyword_list_run", args=[dossier.pk, keyword_list.pk])
    client.force_login(prosecutor)
    assert client.post(start).status_code == 403
    client.force_login(outsider)
    assert client.post(start).status_code == 404
    assert not KeywordRun.objects.exists()
    client.force_login(colleague)  # control
    assert client.post(start).status_code == 302
    run = KeywordRun.objects.get(keyword_list=keyword_list)
    wait_until(lambda: KeywordRun.objects.get(pk=run.pk).is_finished)
    run.refresh_from_db()
    assert (run.status, run.terms_done, run.hits, run.errors) == ("done", 4, 6, 0)
    counts = {
        (hit.term.term, hit.exhibit.seal_number, hit.file.path)
        for hit in KeywordHit.objects.filter(run=run).select_related("term", "exhibit", "file")
    }
    assert counts == {
        ("darkfalcon", "SC-1", "SC-1/chat.txt"),
        ("darkfalcon", "SC-1", "SC-1/notes.txt"),
        ("darkfalcon", "SC-2", "SC-2/mail.txt"),
        ('"rue de la loi"', "SC-1", "SC-1/chat.txt"),
        ("night*", "SC-1", "SC-1/notes.txt"),
        ("night*", "SC-2", "SC-2/mail.txt"),
    }
    # The page: counts per term and exhibit, each linking to the search for that term in that exhibit.
    page = client.get(reverse("keyword_list_detail", args=[dossier.pk, keyword_list.pk])).content.decode()
    assert f'?q=darkfalcon&amp;exhibit={exhibit.pk}">2</a>' in page
    assert f'?q=%22rue%20de%20la%20loi%22&amp;exhibit={exhibit.pk}">1</a>' in page
    progress = reverse("keyword_run_progress", args=[dossier.pk, run.pk])
    assert client.get(progress, headers={"HX-Request": "true"})["HX-Refresh"] == "true"
    client.force_login(prosecutor)  # reads the counts, without links to the files
    page = client.get(reverse("keyword_list_detail", args=[dossier.pk, keyword_list.pk])).content.decode()
    assert 'data-exhibit="SC-1">2</td>' in page and "?q=darkfalcon" not in page


def run_here(keyword_list, by) -> KeywordRun:
    """A run done in this process (the worker's own function), for what follows a run."""
    run = keyword_run_start(keyword_list=keyword_list, by=by, queue=False)
    keyword_run_execute(run=run)
    run.refresh_from_db()
    return run


def test_the_hits_export_as_csv_for_the_team_only(client, owner, prosecutor, dossier, documents):
    run = run_here(
        keyword_list_import(dossier=dossier, name="Op. Falcon", text="=cmd|x;formula\ndarkfalcon", by=owner), owner
    )
    url = reverse("keyword_run_export", args=[dossier.pk, run.pk])
    client.force_login(prosecutor)
    assert client.get(url).status_code == 403
    client.force_login(owner)  # control
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert [(row["term"], row["exhibit"], row["path"]) for row in rows] == [
        ("darkfalcon", "SC-1", "SC-1/chat.txt"),
        ("darkfalcon", "SC-1", "SC-1/notes.txt"),
        ("darkfalcon", "SC-2", "SC-2/mail.txt"),
    ]
    assert rows[0]["sha256"] == "00" * 32 and rows[0]["line"] == "2"
    event = AuditEvent.objects.get(action="keyword_hits.export")
    assert event.detail["rows"] == 3 and event.actor_id == owner.pk


def test_the_report_prints_each_list_with_its_counts_per_exhibit(client, owner, prosecutor, dossier, documents):
    run_here(
        keyword_list_import(dossier=dossier, name="Op. Falcon", text="darkfalcon;nickname\nnight*", by=owner), owner
    )
    keyword_list_import(dossier=dossier, name="Never run", text="nobodyhere", by=owner)
    client.force_login(prosecutor)
    html = client.get(reverse("dossier_report", args=[dossier.pk])).content.decode()
    section = html[html.index("<h2>Keyword lists</h2>") :]
    assert "Op. Falcon" in section and "Never run" in section and "never run" in section
    cells = " ".join(section.split())
    # darkfalcon: 2 files in SC-1, 1 in SC-2, 3 in all; night*: 1 and 1.
    assert (
        '<td>darkfalcon</td><td>nickname</td><td class="num">2</td><td class="num">1</td><td class="num">3</td>'
        in cells
    )
    assert '<td>night*</td><td></td><td class="num">1</td><td class="num">1</td><td class="num">2</td>' in cells
    assert "SC-1/chat.txt" not in html  # prosecutors read counts, never file names
    pdf = client.get(reverse("dossier_report_pdf", args=[dossier.pk]))
    assert pdf.status_code == 200 and "darkfalcon" in pdf_text(pdf.content) and "Op. Falcon" in pdf_text(pdf.content)


def test_a_run_taken_up_again_goes_on_after_its_last_term_and_a_lost_one_says_why(owner, dossier, documents):
    keyword_list = keyword_list_import(dossier=dossier, name="L", text="darkfalcon\nnight*", by=owner)
    run = keyword_run_start(keyword_list=keyword_list, by=owner, queue=False)
    KeywordRun.objects.filter(pk=run.pk).update(status="running", terms_done=1, last_line=1)  # its worker died
    keyword_run_execute(run=run)
    run.refresh_from_db()
    assert (run.status, run.terms_done, run.hits) == ("done", 2, 2)
    assert set(KeywordHit.objects.filter(run=run).values_list("term__term", flat=True)) == {"night*"}
    lost = keyword_run_start(keyword_list=keyword_list, by=owner, queue=False)
    keyword_run_fail(run_id=lost.pk, reason="worker lost")
    lost.refresh_from_db()
    assert lost.status == "failed" and lost.error == "worker lost"
