"""Damaged photos of every common format, and forged upload names: recorded with a reason, the rest ingested."""

import io

import pytest
from django.test import Client
from django.urls import reverse

from evidence.ingest.uploads import ingest_job_create_from_uploads
from evidence.models import EvidenceFile, IngestJob
from evidence.synthetic import synthetic_image
from tests.evidence.test_ingest import run_inline, upload
from tests.factories import sha256_hex

# Pillow writes each of these; HEIC through pillow-heif, as phones seized today hold mostly HEIC.
FORMATS = {"jpg": "JPEG", "png": "PNG", "gif": "GIF", "webp": "WEBP", "heic": "HEIF"}


def photo(seed: int, fmt: str) -> bytes:
    buffer = io.BytesIO()
    synthetic_image(seed, (320, 240)).save(buffer, format=fmt)
    return buffer.getvalue()


def scrambled(content: bytes) -> bytes:
    """The header kept (the format is still recognised), the picture data replaced by noise."""
    keep = min(200, len(content) // 4)
    return content[:keep] + bytes((i * 151 + 17) % 256 for i in range(len(content) - keep))


@pytest.mark.parametrize("extension", FORMATS)
def test_a_truncated_or_scrambled_photo_is_an_error_and_the_intact_one_is_ingested(exhibit, owner, extension):
    good = photo(7, FORMATS[extension])
    uploads = [
        upload(f"good.{extension}", good),
        upload(f"cut.{extension}", good[: len(good) // 2]),
        upload(f"noise.{extension}", scrambled(good)),
    ]
    job = run_inline(ingest_job_create_from_uploads(exhibit=exhibit, by=owner, uploads=uploads))
    files = {f.path: f for f in EvidenceFile.objects.all()}
    assert job.status == IngestJob.Status.DONE and len(files) == 3
    intact = files[f"good.{extension}"]
    assert (intact.triage, intact.error) == ("new_image", "")  # control: the same format decodes
    assert intact.phash is not None and intact.thumbnail
    for name in (f"cut.{extension}", f"noise.{extension}"):
        damaged = files[name]
        assert damaged.triage == "error" and damaged.error, name
        assert damaged.sha256 is not None  # hashed all the same: the evidence is described
    assert files[f"cut.{extension}"].sha256_hex == sha256_hex(good[: len(good) // 2])


def test_a_forged_upload_name_is_only_a_label(client: Client, owner, exhibit, settings, tmp_path):
    settings.EVIDENCE_ROOT = tmp_path / "store"
    client.force_login(owner)
    content = photo(3, "JPEG")
    body = (
        b"--XX\r\n"
        b'Content-Disposition: form-data; name="files"; filename="../../../../etc/cron.d/evil.jpg"\r\n'
        b"Content-Type: image/jpeg\r\n\r\n" + content + b"\r\n"
        b"--XX\r\n"
        b'Content-Disposition: form-data; name="files"; filename="C:\\\\Windows\\\\..\\\\ok.jpg"\r\n'
        b"Content-Type: image/jpeg\r\n\r\n" + content[:-1] + b"\r\n"
        b"--XX--\r\n"
    )
    response = client.post(
        reverse("exhibit_ingest", args=[exhibit.pk]), data=body, content_type="multipart/form-data; boundary=XX"
    )
    assert response.status_code == 302  # control: the upload itself is accepted
    run_inline(IngestJob.objects.get(exhibit=exhibit))
    paths = sorted(EvidenceFile.objects.values_list("path", flat=True))
    assert paths == ["evil.jpg", "ok.jpg"]  # no directory of the browser's name is kept
    assert not (tmp_path / "etc").exists() and not (tmp_path.parent / "etc").exists()
    stored = [p for p in (tmp_path / "store").rglob("*") if p.is_file()]
    assert len(stored) == 2 and all(p.name != "evil.jpg" for p in stored)  # stored under their hash
