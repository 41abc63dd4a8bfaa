"""Need-to-know on every dossier page added for issue #3: outsider 404, prosecutor reads (200) but
never writes (403), a colleague of the team reads and writes. Every refusal has its control case."""

import pytest
from django.urls import reverse

from tests.factories import make_search, make_suspect


@pytest.fixture
def search(dossier):
    return make_search(dossier)


@pytest.fixture
def suspect(dossier):
    return make_suspect(dossier)


def read_urls(dossier, search, suspect, exhibit):
    return {
        "overview": reverse("dossier_detail", args=[dossier.pk]),
        "searches": reverse("dossier_searches", args=[dossier.pk]),
        "exhibits": reverse("dossier_exhibits", args=[dossier.pk]),
        "suspects": reverse("dossier_suspects", args=[dossier.pk]),
        "files": reverse("dossier_files", args=[dossier.pk]),
        "timeline": reverse("dossier_timeline", args=[dossier.pk]),
        "search": reverse("search_detail", args=[search.pk]),
        "suspect": reverse("suspect_detail", args=[suspect.pk]),
        "exhibit": reverse("exhibit_detail", args=[exhibit.pk]),
        "custody_sheet": reverse("custody_sheet", args=[exhibit.pk]),
    }


def write_urls(dossier, search, suspect, exhibit):
    return {
        "audit": reverse("dossier_audit", args=[dossier.pk]),
        "status": reverse("dossier_status", args=[dossier.pk]),
        "search_new": reverse("search_new", args=[dossier.pk]),
        "suspect_new": reverse("suspect_new", args=[dossier.pk]),
        "exhibit_new": reverse("exhibit_new", args=[dossier.pk]),
        "custody_new": reverse("custody_new", args=[exhibit.pk]),
        "acquisition_new": reverse("acquisition_new", args=[exhibit.pk]),
        "exhibits_bulk": reverse("exhibits_bulk", args=[search.pk]),
    }


def statuses(client, urls):
    return {name: client.get(url).status_code for name, url in urls.items()}


def test_an_outsider_gets_404_on_every_page_and_their_own_dossier_opens(
    client, outsider, other_dossier, dossier, search, suspect, exhibit
):
    urls = read_urls(dossier, search, suspect, exhibit) | write_urls(dossier, search, suspect, exhibit)
    client.force_login(outsider)
    assert statuses(client, urls) == dict.fromkeys(urls, 404)
    own = make_search(other_dossier)
    assert client.get(reverse("search_detail", args=[own.pk])).status_code == 200  # control


def test_a_prosecutor_reads_every_page_but_gets_403_on_writes(
    client, prosecutor, colleague, dossier, search, suspect, exhibit
):
    client.force_login(prosecutor)
    reads = read_urls(dossier, search, suspect, exhibit)
    writes = write_urls(dossier, search, suspect, exhibit)
    assert statuses(client, reads) == dict.fromkeys(reads, 200)
    assert statuses(client, writes) == dict.fromkeys(writes, 403)
    posts = {
        reverse("search_new", args=[dossier.pk]): {"address": "x"},
        reverse("suspect_status", args=[suspect.pk]): {"to_status": "arrested"},
        reverse("team_add", args=[dossier.pk]): {"user": prosecutor.pk, "role": "lead"},
    }
    assert [client.post(url, data).status_code for url, data in posts.items()] == [403, 403, 403]
    client.force_login(colleague)  # control: an investigator of the team opens the same pages
    assert statuses(client, reads | writes) == dict.fromkeys(reads | writes, 200)


def test_the_audit_tab_lists_only_this_dossiers_events(client, owner, dossier, other_dossier, outsider):
    from audit.services import audit_record

    audit_record(actor=owner, action="dossier.note", target=dossier)
    audit_record(actor=outsider, action="dossier.secret", target=other_dossier)
    client.force_login(owner)
    page = client.get(reverse("dossier_audit", args=[dossier.pk])).content.decode()
    assert "dossier.note" in page and "dossier.secret" not in page
