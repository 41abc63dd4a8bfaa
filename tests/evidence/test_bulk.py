"""Bulk registration of exhibits from a CSV: preview with per-row errors, then all or nothing."""

from django.urls import reverse

from audit.models import AuditEvent
from evidence.custody.bulk import parse_capacity
from evidence.models import Exhibit
from tests.factories import make_search

GOOD = """seal_number,kind,make,model,serial_number,capacity,parent_seal
SC-100,Computer,Dell,OptiPlex 7010,ABC123,,
SC-101,internal_disk,Seagate,Barracuda,Z1X2,1 TB,SC-100
SC-102,USB key,SanDisk,Ultra,,32 GB,
"""


def test_capacities_are_read_in_bytes():
    assert parse_capacity("1 TB") == 10**12 and parse_capacity("512") == 512 and parse_capacity("64 GiB") == 64 * 2**30
    assert parse_capacity("a lot") is None


def test_the_preview_shows_every_row_and_saves_nothing(client, owner, dossier):
    search = make_search(dossier)
    client.force_login(owner)
    response = client.post(reverse("exhibits_bulk", args=[search.pk]), {"rows": GOOD, "preview": "1"})
    page = response.content.decode()
    assert response.status_code == 200 and "Confirm and register 3 exhibits" in page
    assert page.count('data-line="') == 3
    assert not Exhibit.objects.exists()


def test_confirming_registers_every_row_with_its_search_and_parent(client, owner, dossier):
    search = make_search(dossier)
    client.force_login(owner)
    response = client.post(reverse("exhibits_bulk", args=[search.pk]), {"rows": GOOD, "confirm": "1"})
    assert response.status_code == 302
    exhibits = {e.seal_number: e for e in Exhibit.objects.all()}
    assert set(exhibits) == {"SC-100", "SC-101", "SC-102"}
    assert exhibits["SC-101"].parent == exhibits["SC-100"] and exhibits["SC-101"].capacity_bytes == 10**12
    assert all(e.search == search for e in exhibits.values())
    assert AuditEvent.objects.get(action="exhibit.bulk_register").detail["count"] == 3


def test_row_errors_are_shown_and_nothing_is_saved_even_if_confirmed(client, owner, dossier, exhibit):
    search = make_search(dossier)
    bad = GOOD + f"{exhibit.seal_number},phone,,,,,\nSC-103,toaster,,,,,\nSC-104,phone,,,,huge,\nSC-102,tablet,,,,,\n"
    client.force_login(owner)
    url = reverse("exhibits_bulk", args=[search.pk])
    page = client.post(url, {"rows": bad, "preview": "1"}).content.decode()
    assert "already has an exhibit with this seal number" in page
    assert "Unknown kind &#x27;toaster&#x27;" in page
    assert "is not a number of bytes" in page
    assert "is already on line 4" in page
    assert "Confirm and register" not in page
    response = client.post(url, {"rows": bad, "confirm": "1"})
    assert response.status_code == 200 and "Nothing was saved" in response.content.decode()
    assert list(Exhibit.objects.values_list("seal_number", flat=True)) == [exhibit.seal_number]


def test_an_uploaded_semicolon_csv_with_a_bom_is_read(client, owner, dossier):
    from django.core.files.uploadedfile import SimpleUploadedFile

    search = make_search(dossier)
    content = "\ufeffseal_number;kind\nSC-200;Phone\nSC-201;Tablet\n".encode()
    client.force_login(owner)
    response = client.post(
        reverse("exhibits_bulk", args=[search.pk]), {"upload": SimpleUploadedFile("list.csv", content), "preview": "1"}
    )
    assert "Confirm and register 2 exhibits" in response.content.decode()


def test_a_missing_column_is_reported_for_the_whole_file(client, owner, dossier):
    search = make_search(dossier)
    client.force_login(owner)
    page = client.post(reverse("exhibits_bulk", args=[search.pk]), {"rows": "seal,type\nA,B\n"}).content.decode()
    assert "Missing column(s): seal_number, kind" in page and not Exhibit.objects.exists()


def test_hundreds_of_rows_at_once(client, owner, dossier):
    search = make_search(dossier)
    rows = "seal_number,kind\n" + "".join(f"SC-{i:04d},usb_key\n" for i in range(400))
    client.force_login(owner)
    assert client.post(reverse("exhibits_bulk", args=[search.pk]), {"rows": rows, "confirm": "1"}).status_code == 302
    assert Exhibit.objects.filter(search=search).count() == 400
