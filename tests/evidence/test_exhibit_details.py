"""Exhibit details, acquisitions with their hashes, searches and the dossier's timeline."""

import hashlib

from django.urls import reverse

from cases.models import Search
from evidence.models import Acquisition, Exhibit
from tests.factories import make_dossier, make_exhibit, make_search, make_suspect


def test_an_exhibit_is_registered_with_its_details_seized_during_a_search_from_a_suspect(client, owner, dossier):
    search = make_search(dossier)
    suspect = make_suspect(dossier)
    computer = make_exhibit(dossier, "SC-10")
    client.force_login(owner)
    data = {
        "kind": "phone",
        "seal_number": "SC-11",
        "make": "Samsung",
        "device_model": "Galaxy S21",
        "imei": "35 209900 176148 1",
        "capacity_bytes": "128000000000",
        "power_state": "on",
        "locked": "true",
        "search": search.pk,
        "seized_from": suspect.pk,
        "parent": computer.pk,
    }
    assert client.post(reverse("exhibit_new", args=[dossier.pk]), data).status_code == 302
    phone = Exhibit.objects.get(seal_number="SC-11")
    assert (phone.imei, phone.locked, phone.search, phone.seized_from, phone.parent) == (
        "352099001761481",
        True,
        search,
        suspect,
        computer,
    )


def test_a_parent_from_another_dossier_cannot_be_chosen(client, owner, dossier, outsider):
    foreign = make_exhibit(make_dossier(outsider, notice_number="BR.52.L1.000777/26"), "SC-X")
    client.force_login(owner)
    url = reverse("exhibit_new", args=[dossier.pk])
    response = client.post(url, {"kind": "internal_disk", "seal_number": "SC-12", "parent": foreign.pk})
    assert response.status_code == 200 and b"Select a valid choice" in response.content
    own = make_exhibit(dossier, "SC-13")
    assert client.post(url, {"kind": "internal_disk", "seal_number": "SC-12", "parent": own.pk}).status_code == 302


def test_an_acquisition_keeps_its_hashes_as_bytes_and_refuses_bad_hex(client, owner, exhibit):
    client.force_login(owner)
    url = reverse("acquisition_new", args=[exhibit.pk])
    sha256 = hashlib.sha256(b"image").hexdigest()
    data = {
        "examiner": "Analyst Example",
        "tool": "FTK Imager",
        "tool_version": "4.7.1",
        "write_blocker": "Tableau T35u",
        "image_format": "e01",
        "started_at": "2026-01-10T09:00",
        "ended_at": "2026-01-10T11:30",
    }
    response = client.post(url, data | {"sha256": "xyz", "md5": "abc"})
    assert response.status_code == 200 and b"64 hexadecimal characters" in response.content
    assert not Acquisition.objects.exists()
    assert client.post(url, data | {"sha256": sha256.upper()}).status_code == 302  # control
    acquisition = Acquisition.objects.get()
    assert bytes(acquisition.sha256) == bytes.fromhex(sha256) and acquisition.sha256_hex == sha256
    assert sha256 in client.get(exhibit.get_absolute_url()).content.decode()


def test_a_search_is_registered_and_lists_its_exhibits(client, owner, dossier):
    client.force_login(owner)
    data = {
        "address": "Avenue Exemple 5, 1050 Ixelles",
        "started_at": "2026-01-09T06:00",
        "warrant_reference": "JI-2026-42",
        "warrant_judge": "Juge Dupont",
        "officers_present": "Inspecteur A\nInspecteur B",
        "outcome": "Two laptops seized",
    }
    response = client.post(reverse("search_new", args=[dossier.pk]), data)
    search = Search.objects.get()
    assert response["Location"] == search.get_absolute_url() and search.officers == ["Inspecteur A", "Inspecteur B"]
    response = client.post(reverse("search_new", args=[dossier.pk]), data | {"started_at": "2099-01-01T06:00"})
    assert b"in the future" in response.content and Search.objects.count() == 1


def test_the_timeline_lists_every_dated_event_in_order(client, owner, prosecutor, dossier):
    from cases.services import dossier_status_change

    search = make_search(dossier)
    exhibit = make_exhibit(dossier, "SC-20")
    exhibit.search = search
    exhibit.save()
    dossier_status_change(dossier=dossier, to_status="under_investigation", reason="Go", by=owner)
    make_suspect(dossier, "Jean Exemple", status="arrested")
    client.force_login(prosecutor)
    kinds = [event["kind"] for event in client.get(reverse("dossier_timeline", args=[dossier.pk])).context["page"]]
    assert kinds[:2] == ["search", "seizure"] and {"status", "suspect"} <= set(kinds)
