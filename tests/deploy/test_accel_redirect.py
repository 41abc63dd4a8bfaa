"""Behind nginx, thumbnails leave through X-Accel-Redirect: Django checks and logs, nginx sends."""

import pytest
from django.urls import reverse

from audit.models import AuditEvent
from tests.evidence.test_thumbnails import photo  # noqa: F401 - the fixture: one ingested photo


@pytest.fixture
def accel(settings):
    settings.MEDIA_ACCEL_REDIRECT = True
    settings.MEDIA_ACCEL_PREFIX = "/protected/derived/"


def test_the_owner_gets_an_empty_answer_naming_the_file_for_nginx(client, owner, photo, accel, settings):  # noqa: F811
    client.force_login(owner)
    veiled = client.get(reverse("file_thumbnail", args=[photo.pk]))
    assert veiled.status_code == 200 and veiled.content == b""  # no byte of the image from Django
    target = veiled["X-Accel-Redirect"]
    assert target.startswith("/protected/derived/veiled-") and target.endswith(photo.thumbnail)
    # The veiled copy nginx will send exists in the derived store, greyscale.
    assert (settings.DERIVED_ROOT / target.removeprefix("/protected/derived/")).exists()
    assert "no-store" in veiled["Cache-Control"] and veiled["Content-Type"] == "image/jpeg"
    revealed = client.get(reverse("file_thumbnail", args=[photo.pk]), {"reveal": "1"})
    assert revealed["X-Accel-Redirect"] == f"/protected/derived/{photo.thumbnail}" and revealed.content == b""
    actions = AuditEvent.objects.filter(actor=owner, action__startswith="media.").values_list("action", flat=True)
    assert sorted(actions) == ["media.reveal", "media.thumbnail"]  # logged before nginx sends anything


def test_an_outsider_gets_404_and_no_redirect_header(client, owner, outsider, photo, accel):  # noqa: F811
    url = reverse("file_thumbnail", args=[photo.pk])
    client.force_login(outsider)
    refused = client.get(url, {"reveal": "1"})
    assert refused.status_code == 404 and not refused.has_header("X-Accel-Redirect")
    client.force_login(owner)  # control: the owner is sent the file by nginx
    assert client.get(url, {"reveal": "1"}).has_header("X-Accel-Redirect")


def test_without_the_setting_django_sends_the_bytes(client, owner, photo, settings):  # noqa: F811
    client.force_login(owner)
    response = client.get(reverse("file_thumbnail", args=[photo.pk]), {"reveal": "1"})
    assert not response.has_header("X-Accel-Redirect")
    assert response.content == (settings.DERIVED_ROOT / photo.thumbnail).read_bytes()
