"""Thumbnails: veiled by default, revealed one at a time, every view logged, members only."""

import io

import pytest
from django.urls import reverse
from PIL import Image

from audit.models import AuditEvent
from evidence.ingest.jobs import ingest_job_create_from_path
from evidence.models import EvidenceFile
from tests.evidence.test_ingest import run_inline
from tests.factories import image_files


@pytest.fixture
def photo(exhibit, owner, tmp_path, settings):
    settings.DERIVED_ROOT = tmp_path / "derived"
    image_files(tmp_path / "src", [3])
    run_inline(ingest_job_create_from_path(exhibit=exhibit, path=tmp_path / "src", by=owner, queue=False))
    return EvidenceFile.objects.get()


def test_an_ingested_image_gets_perceptual_hashes_and_a_thumbnail(photo, settings):
    assert len(bytes(photo.phash)) == 8 and len(bytes(photo.pdq)) == 32 and photo.pdq_quality is not None
    assert (photo.width, photo.height) == (160, 120)
    assert (settings.DERIVED_ROOT / photo.thumbnail).exists()


def test_the_thumbnail_is_veiled_unless_revealed_and_both_are_logged(client, colleague, photo):
    client.force_login(colleague)
    page = client.get(reverse("file_detail", args=[photo.pk])).content.decode()
    assert 'data-testid="thumbnail-veiled"' in page and "reveal=1" not in page
    veiled = client.get(reverse("file_thumbnail", args=[photo.pk]))
    assert veiled["Content-Type"] == "image/jpeg" and "no-store" in veiled["Cache-Control"]
    assert Image.open(io.BytesIO(veiled.content)).mode == "L"
    revealed = client.get(reverse("file_thumbnail", args=[photo.pk]), {"reveal": "1"})
    assert Image.open(io.BytesIO(revealed.content)).mode == "RGB"
    actions = list(AuditEvent.objects.filter(actor=colleague, target_id=str(photo.pk)).values_list("action", flat=True))
    assert actions.count("media.thumbnail") == 1 and actions.count("media.reveal") == 1


def test_prosecutor_outsider_and_admin_see_no_thumbnail(client, prosecutor, outsider, admin, colleague, photo):
    url = reverse("file_thumbnail", args=[photo.pk])
    for person, status in ((prosecutor, 403), (outsider, 404), (admin, 404), (colleague, 200)):
        client.force_login(person)
        assert client.get(url, {"reveal": "1"}).status_code == status, person.username
    assert not AuditEvent.objects.filter(action="media.reveal").exclude(actor=colleague).exists()
