"""Images grouped by the camera their tags name: the Devices tab counts them per exhibit and status,
links to their files, shows the same serial number in the user's other dossiers and nothing of a
dossier they may not see; the file page shows camera, time and place."""

import json

import pytest
from django.urls import reverse

from audit.models import AuditEvent
from cases.models import Membership
from evidence.models import EvidenceFile, ImageMetadata
from tests.accounts.test_step_up import age_second_factor
from tests.evidence.test_altered_copies import ingest
from tests.factories import make_dossier, make_exhibit
from tests.hashing.test_exif import gps, photo_bytes, tags

SERIAL = b"0421032581"


@pytest.fixture
def seized(owner, exhibit, tmp_path):
    """Two exhibits of the dossier: three photos of one camera (one of them twice), one of a phone
    without a serial, one without tags."""
    second = make_exhibit(exhibit.dossier, seal_number="SC-2", by=owner)
    canon = photo_bytes(tags(gps=gps(50.8466, b"N", 4.3528, b"E")), seed=1)
    files = ingest(
        exhibit,
        owner,
        tmp_path / "first",
        {
            "canon-1.jpg": canon,
            "copy-of-canon-1.jpg": canon,
            "canon-2.jpg": photo_bytes(tags(), seed=2),
            "phone.jpg": photo_bytes(tags(make=b"Apple", model=b"iPhone 12", serial=None), seed=3),
            "plain.jpg": photo_bytes(seed=4),
        },
    )
    files |= ingest(second, owner, tmp_path / "second", {"canon-3.jpg": photo_bytes(tags(), seed=5)})
    return files


@pytest.mark.django_db
def test_the_devices_tab_groups_images_by_camera_with_counts_per_exhibit(client, colleague, exhibit, seized):
    assert ImageMetadata.objects.filter(file=seized["copy-of-canon-1.jpg"]).exists()  # a copy decoded once
    assert not ImageMetadata.objects.filter(file=seized["plain.jpg"]).exists()
    client.force_login(colleague)
    page = client.get(reverse("dossier_devices", args=[exhibit.dossier.pk]))
    assert page.status_code == 200
    rows = page.content.decode().split('data-testid="device-row"')[1:]
    assert len(rows) == 2
    canon, apple = rows
    assert "Canon EOS 5D" in canon and SERIAL.decode() in canon and "SC-1: 3" in canon and "SC-2: 1" in canon
    assert "Apple iPhone 12" in apple and "SC-1: 1" in apple

    # The device's link lists its images only.
    listed = client.get(
        reverse("dossier_files", args=[exhibit.dossier.pk]),
        {"make": "Canon", "model": "EOS 5D", "serial": SERIAL.decode()},
    ).content.decode()
    assert "canon-3.jpg" in listed and "canon-2.jpg" in listed and "phone.jpg" not in listed


@pytest.mark.django_db
def test_the_file_page_shows_camera_time_and_place(client, colleague, seized):
    client.force_login(colleague)
    page = client.get(seized["canon-1.jpg"].get_absolute_url()).content.decode()
    assert "Canon EOS 5D" in page and SERIAL.decode() in page
    assert "2024-05-01 13:22:01 (UTC+02:00)" in page
    assert "50.846600, 4.352800" in page


@pytest.mark.django_db
def test_the_same_serial_is_shown_in_the_users_other_dossiers_and_nothing_of_the_others(
    client, owner, colleague, outsider, exhibit, seized, tmp_path
):
    # Another dossier of the colleague's holds the same camera's images; one of an outsider's too.
    theirs = make_dossier(owner, notice_number="BR.52.L1.000003/26", **{Membership.Role.INVESTIGATOR: colleague})
    ingest(make_exhibit(theirs, by=owner), owner, tmp_path / "theirs", {"c.jpg": photo_bytes(tags(), seed=6)})
    hidden = make_dossier(outsider, notice_number="BR.52.L1.000009/26", title="Hidden")
    ingest(make_exhibit(hidden, by=outsider), outsider, tmp_path / "hidden", {"h.jpg": photo_bytes(tags(), seed=7)})

    client.force_login(colleague)
    page = client.get(reverse("dossier_devices", args=[exhibit.dossier.pk])).content.decode()
    canon = page.split('data-testid="device-row"')[1]
    assert "BR.52.L1.000003/26" in canon  # control: a dossier the colleague is in
    assert "BR.52.L1.000009/26" not in page and "Hidden" not in page
    # The outsider, seeing their own dossier, does not learn of the colleague's either.
    client.force_login(outsider)
    theirs_page = client.get(reverse("dossier_devices", args=[hidden.pk])).content.decode()
    assert "BR.52.L1.000001/26" not in theirs_page and "BR.52.L1.000003/26" not in theirs_page
    assert "Canon EOS 5D" in theirs_page  # control: their own images are listed


@pytest.mark.django_db
def test_prosecutors_and_outsiders_do_not_get_the_devices_tab(client, colleague, prosecutor, outsider, exhibit, seized):
    url = reverse("dossier_devices", args=[exhibit.dossier.pk])
    client.force_login(prosecutor)
    assert client.get(url).status_code == 403  # prosecutors see no files
    client.force_login(outsider)
    assert client.get(url).status_code == 404  # not a member: the dossier does not exist for them
    client.force_login(colleague)
    assert client.get(url).status_code == 200  # control


@pytest.mark.django_db
def test_an_empty_dossier_says_no_image_names_its_camera(client, colleague, exhibit):
    client.force_login(colleague)
    page = client.get(reverse("dossier_devices", args=[exhibit.dossier.pk])).content.decode()
    assert "No image of this dossier names its camera." in page
    assert EvidenceFile.objects.count() == 0


@pytest.mark.django_db
def test_the_places_tab_maps_the_images_with_a_position_and_filters_by_exhibit(client, colleague, exhibit, seized):
    client.force_login(colleague)
    page = client.get(reverse("dossier_places", args=[exhibit.dossier.pk])).content.decode()
    # canon-1 and its copy carry a position; the map's own assets only (no tile server).
    assert "2 images with a position." in page and 'data-testid="places-map"' in page
    assert "countries-50m" in page and "tile" not in page.split('data-testid="places-map"')[1].split("</div>")[0]
    data = json.loads(client.get(reverse("dossier_places_data", args=[exhibit.dossier.pk])).content)
    [first, _] = data["features"]
    longitude, latitude = first["geometry"]["coordinates"][:2]
    assert abs(latitude - 50.8466) < 1e-4 and abs(longitude - 4.3528) < 1e-4
    assert first["properties"]["url"].endswith(f"/files/{first['properties']['file']}/")
    other = ImageMetadata.objects.exclude(file__exhibit=exhibit).first().file.exhibit
    none = client.get(reverse("dossier_places", args=[exhibit.dossier.pk]), {"exhibit": other.pk}).content.decode()
    assert "has a GPS position" in none  # the second exhibit's image has no position


@pytest.mark.django_db
def test_places_exports_as_geojson_and_kml_are_audited_and_need_a_recent_second_factor(
    client, colleague, prosecutor, exhibit, seized
):
    client.force_login(colleague)
    kml = client.get(reverse("dossier_places_export", args=[exhibit.dossier.pk, "kml"]))
    assert kml.status_code == 200 and b"<coordinates>4.35" in kml.content and b"canon-1.jpg" in kml.content
    geojson = client.get(reverse("dossier_places_export", args=[exhibit.dossier.pk, "geojson"]))
    assert len(json.loads(geojson.content)["features"]) == 2
    assert AuditEvent.objects.filter(action__startswith="export.places_").count() == 2
    assert client.get(reverse("dossier_places_export", args=[exhibit.dossier.pk, "shp"])).status_code == 404
    age_second_factor(client, 3600)
    stale = client.get(reverse("dossier_places_export", args=[exhibit.dossier.pk, "kml"]))
    assert stale.status_code == 302 and "step_up=1" in stale["Location"]
    client.force_login(prosecutor)
    assert client.get(reverse("dossier_places", args=[exhibit.dossier.pk])).status_code == 403


@pytest.mark.django_db
def test_the_timeline_shows_the_files_on_a_calendar_by_the_time_asked(client, prosecutor, exhibit, seized):
    # Ingested files have the file system's modified time (today); the tagged photos a capture day.
    client.force_login(prosecutor)  # counts only: prosecutors see them too
    url = reverse("dossier_timeline", args=[exhibit.dossier.pk])
    taken = client.get(url, {"times": "taken"}).content.decode()
    assert "5 files from 2024-05-01 to 2024-05-01" in taken  # the five tagged images (a copy included)
    assert 'data-count="5"' in taken
    modified = client.get(url, {"times": "modified"}).content.decode()
    assert "6 files from" in modified
    one = client.get(url, {"times": "taken", "triage": "known"}).content.decode()
    assert "has this time" in one  # no known file: the empty state
