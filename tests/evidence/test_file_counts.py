"""Pages of a dossier with many files: totals kept by the database, file lists read by keyset."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from evidence.models import EvidenceFile, IngestBatch, IngestJob, TriageCount
from evidence.selectors import exhibit_triage_totals, triage_totals
from tests.factories import make_exhibit

pytestmark = pytest.mark.postgresql(reason="the totals are kept by PostgreSQL triggers")


def add_files(exhibit, owner, states: list[str]) -> list[EvidenceFile]:
    job = IngestJob.objects.create(exhibit=exhibit, source_label="t", created_by=owner, status="done")
    batch = IngestBatch.objects.create(job=job, number=1, status="done")
    return EvidenceFile.objects.bulk_create(
        EvidenceFile(exhibit=exhibit, job=job, batch=batch, path=f"f{number:03d}", size=10 + number, triage=state)
        for number, state in enumerate(states)
    )


def test_the_kept_totals_follow_every_insert_update_and_delete(exhibit, dossier, owner):
    other = make_exhibit(dossier, seal_number="SC-2", by=owner)
    files = add_files(exhibit, owner, ["pending"] * 5 + ["known"] * 2)
    add_files(other, owner, ["new_image"] * 3)
    EvidenceFile.objects.filter(pk__in=[f.pk for f in files[:3]]).update(triage="new_image")
    EvidenceFile.objects.filter(pk=files[3].pk).update(triage="known_good", size=1000)
    EvidenceFile.objects.filter(pk=files[4].pk).update(mime="text/plain")  # no change of state or size
    EvidenceFile.objects.filter(pk=files[5].pk).delete()

    for exhibits in ([exhibit.pk], [other.pk], [exhibit.pk, other.pk]):
        counted = triage_totals(EvidenceFile.objects.filter(exhibit_id__in=exhibits))
        assert exhibit_triage_totals(exhibits) == counted
    by_state = {row["state"]: row["count"] for row in exhibit_triage_totals([exhibit.pk, other.pk])}
    assert (by_state["new_image"], by_state["known"], by_state["pending"], by_state["known_good"]) == (6, 1, 1, 1)

    rows_before = TriageCount.objects.filter(exhibit=exhibit).count()
    TriageCount.objects.compact([exhibit.pk])
    assert TriageCount.objects.filter(exhibit=exhibit).count() < rows_before
    assert exhibit_triage_totals([exhibit.pk]) == triage_totals(exhibit.files.all())


def test_the_files_list_pages_by_keyset_without_counting_the_files(client, owner, dossier, exhibit, settings):
    settings.PAGE_SIZE = 2
    files = add_files(exhibit, owner, ["new_image"] * 5)
    client.force_login(owner)
    url = f"/dossiers/{dossier.pk}/files/"
    seen, pages, next_url = [], 0, url
    while next_url:
        with CaptureQueriesContext(connection) as queries:
            page = client.get(next_url).content.decode()
        counts = [q["sql"] for q in queries if re.search(r"COUNT\(.*evidence_evidencefile", q["sql"], re.S)]
        assert [sql for sql in counts if "LIMIT" not in sql] == []  # at most a bounded count (a badge)
        seen += re.findall(r'href="/files/(\d+)/"', page)
        pages += 1
        found = re.search(r'href="\?after=(\d+)" rel="next"', page)
        next_url = f"{url}?after={found.group(1)}" if found else None
    assert [int(pk) for pk in seen] == [f.pk for f in files] and pages == 3
    # Back from the last page; a bound that is not a number shows the first page.
    back = client.get(f"{url}?before={files[4].pk}").content.decode()
    assert re.findall(r'href="/files/(\d+)/"', back) == [str(files[2].pk), str(files[3].pk)]
    first = client.get(f"{url}?after=abc").content.decode()
    assert re.findall(r'href="/files/(\d+)/"', first) == [str(files[0].pk), str(files[1].pk)]
    assert "5" in re.search(r"New image.*?</tr>", first, re.S).group(0)  # the totals table


def test_the_exhibit_page_pages_its_files_by_keyset_with_a_state_filter(client, owner, exhibit, settings):
    settings.PAGE_SIZE = 2
    files = add_files(exhibit, owner, ["known", "new_image", "known", "known"])
    client.force_login(owner)
    page = client.get(f"/exhibits/{exhibit.pk}/?triage=known").content.decode()
    assert re.findall(r'href="/files/(\d+)/"', page) == [str(files[0].pk), str(files[2].pk)]
    after = re.search(r'href="\?triage=known&amp;after=(\d+)" rel="next"', page).group(1)
    rest = client.get(f"/exhibits/{exhibit.pk}/?triage=known&after={after}").content.decode()
    assert re.findall(r'href="/files/(\d+)/"', rest) == [str(files[3].pk)]


def test_a_dossier_with_several_exhibits_pages_its_files_in_id_order_across_them(
    client, owner, dossier, exhibit, settings
):
    """Each page is read exhibit by exhibit (each on its own index) and merged: the pages, forward and
    back, with and without a state filter, are the files in id order, and no other dossier's files."""
    from tests.factories import make_dossier

    settings.PAGE_SIZE = 3
    second = make_exhibit(dossier, seal_number="SC-2", by=owner)
    third = make_exhibit(dossier, seal_number="SC-3", by=owner)  # no files: an empty part
    elsewhere = make_exhibit(make_dossier(owner, notice_number="BR.52.L1.000002/26"), seal_number="X-1", by=owner)
    files = []
    for round_number in range(3):  # interleaved ids: a, b, other, a, b, other...
        files += add_files(exhibit, owner, ["new_image", "known"])
        files += add_files(second, owner, ["known", "new_image"][: 1 + round_number % 2])
        add_files(elsewhere, owner, ["new_image", "known"])
    assert third.files.count() == 0
    client.force_login(owner)
    url = f"/dossiers/{dossier.pk}/files/"

    def walk(query: str) -> list[int]:
        seen, next_url = [], f"{url}?{query}"
        while next_url:
            page = client.get(next_url).content.decode()
            seen += [int(pk) for pk in re.findall(r'href="/files/(\d+)/"', page)]
            found = re.search(r'href="\?(?:triage=\w+&amp;)?after=(\d+)" rel="next"', page)
            next_url = f"{url}?{query}&after={found.group(1)}" if found else None
        return seen

    assert walk("") == sorted(f.pk for f in files)
    assert walk("triage=known") == sorted(f.pk for f in files if f.triage == "known")
    # Back from the last file: the three files before it, in order.
    ordered = sorted(f.pk for f in files)
    back = client.get(f"{url}?before={ordered[-1]}").content.decode()
    assert [int(pk) for pk in re.findall(r'href="/files/(\d+)/"', back)] == ordered[-4:-1]
    # Control: the other dossier's files are there, on its own page.
    other_page = client.get(f"/dossiers/{elsewhere.dossier.pk}/files/").content.decode()
    assert len(re.findall(r'href="/files/(\d+)/"', other_page)) == 3
