"""The prosecutor board: the figures, aggregated in a fixed number of queries, and its audited export."""

import csv
import io

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from audit.models import AuditEvent
from cases.models import Membership
from evidence.models import EvidenceFile, IngestBatch, IngestJob
from tests.factories import make_dossier, make_exhibit, make_suspect


def add_files(exhibit, by, triages, job_status="done"):
    job = IngestJob.objects.create(exhibit=exhibit, source_label="t", created_by=by, status=job_status)
    batch = IngestBatch.objects.create(job=job, number=1)
    EvidenceFile.objects.bulk_create(
        EvidenceFile(exhibit=exhibit, job=job, batch=batch, path=f"seized/photo-{i}.jpg", source_path="x", triage=t)
        for i, t in enumerate(triages)
    )


def test_the_board_shows_each_dossiers_figures(client, prosecutor, owner, dossier, exhibit):
    add_files(exhibit, owner, ["known", "known", "new_image", "known_good"])
    make_exhibit(dossier, "SC-2")  # not ingested: pending
    make_suspect(dossier, "A", status="arrested")
    make_suspect(dossier, "B", status="arrested")
    make_suspect(dossier, "C", status="identified")
    client.force_login(prosecutor)
    page = client.get(reverse("board")).context["page"]
    row = next(r for r in page if r.pk == dossier.pk)
    figures = (row.arrested_count, row.suspects_count, row.exhibits_processed, row.exhibits_pending)
    assert figures == (2, 3, 1, 1)
    assert (row.known_count, row.new_count) == (2, 1)
    assert row.last_activity is not None
    # A name no random token on the page (CSRF, nonce) can hold by chance, as "f0" could.
    assert b"seized/photo-" not in client.get(reverse("board")).content  # no file names


def test_the_board_costs_the_same_few_queries_for_many_dossiers(client, prosecutor, owner):
    def add_dossiers(start, count):
        for n in range(start, start + count):
            dossier = make_dossier(owner, notice_number=f"BR.52.L1.{n:06d}/26", prosecutor=prosecutor)
            add_files(make_exhibit(dossier, by=owner), owner, ["known", "new_image"])
            make_suspect(dossier, f"Person {n}", status="arrested")

    def queries_for_board():
        with CaptureQueriesContext(connection) as captured:
            response = client.get(reverse("board"))
        return len(captured), len(response.context["page"].object_list)

    client.force_login(prosecutor)
    add_dossiers(0, 3)
    few = queries_for_board()
    add_dossiers(3, 27)
    many = queries_for_board()
    assert (few[1], many[1]) == (3, 30)
    assert many[0] == few[0] <= 16  # request overhead (session, second factor, roles) included


def test_the_board_filters_and_sorts(client, prosecutor, owner):
    first = make_dossier(owner, notice_number="BR.52.L1.000011/26", title="Forum", prosecutor=prosecutor)
    second = make_dossier(owner, notice_number="BR.52.L1.000012/26", title="Cloud", prosecutor=prosecutor)
    first.status = "positive"
    first.save()
    make_suspect(second, "X", status="arrested")
    client.force_login(prosecutor)
    rows = client.get(reverse("board"), {"status": "positive"}).context["page"].object_list
    assert [r.pk for r in rows] == [first.pk]
    rows = client.get(reverse("board"), {"q": "cloud"}).context["page"].object_list
    assert [r.pk for r in rows] == [second.pk]
    rows = client.get(reverse("board"), {"ordering": "-arrested"}).context["page"].object_list
    assert [r.pk for r in rows][0] == second.pk


def test_the_board_is_for_prosecutors_and_shows_only_their_dossiers(client, prosecutor, owner, outsider, other_dossier):
    client.force_login(owner)
    assert client.get(reverse("board")).status_code == 403
    client.force_login(prosecutor)  # control
    response = client.get(reverse("board"))
    assert response.status_code == 200 and other_dossier.notice_number not in response.content.decode()


def test_the_csv_export_is_audited(client, prosecutor, owner, dossier):
    make_suspect(dossier, "A", status="arrested")
    dossier.title = "=HYPERLINK(evil)"
    dossier.save()
    client.force_login(prosecutor)
    response = client.get(reverse("board_export"))
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert rows[0]["notice_number"] == dossier.notice_number and rows[0]["arrested_count"] == "1"
    assert rows[0]["title"].startswith("'=")  # not a spreadsheet formula
    event = AuditEvent.objects.get(action="board.export")
    assert event.actor == prosecutor and event.detail["rows"] == 1
    client.force_login(owner)  # a lead investigator is not in the prosecutor group
    assert client.get(reverse("board_export")).status_code == 403


def test_a_prosecutor_member_is_a_reader_of_the_dossier(prosecutor, dossier):
    assert Membership.objects.get(dossier=dossier, user=prosecutor).role == "prosecutor"
