"""EVIDENCE_STORAGE=s3: uploads and thumbnails live in an S3-compatible object store.

The store is a real S3 server over HTTP (moto's server, in a thread of the test), reached through
django-storages and boto3 exactly as MinIO or Ceph would be.
"""

import io
from concurrent.futures import ThreadPoolExecutor

import boto3
import pytest
from django.conf import settings as django_settings
from django.urls import reverse
from moto.server import ThreadedMotoServer

from evidence.models import EvidenceFile, IngestJob, IngestSource
from evidence.synthetic import synthetic_image_bytes
from tests.factories import sha256_hex, video_bytes, wait_until, zip_bytes

pytestmark = pytest.mark.django_db(transaction=True)
BUCKET = "scelle-test"


def upload(name, content):
    stream = io.BytesIO(content)
    stream.name = name
    return stream


@pytest.fixture
def s3_server():
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield server, f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def bucket(s3_server, settings, tmp_path):
    """An empty private bucket; the application configured for it (no file store at all)."""
    _server, endpoint = s3_server
    credentials = {"aws_access_key_id": "scelle", "aws_secret_access_key": "not-secret", "region_name": "us-east-1"}
    s3 = boto3.client("s3", endpoint_url=endpoint, **credentials)
    s3.create_bucket(Bucket=BUCKET)
    settings.EVIDENCE_STORAGE = "s3"
    settings.STORAGES = {
        **django_settings.STORAGES,
        "evidence_objects": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": BUCKET,
                "endpoint_url": endpoint,
                "region_name": "us-east-1",
                "access_key": credentials["aws_access_key_id"],
                "secret_key": credentials["aws_secret_access_key"],
                "addressing_style": "path",
                "default_acl": None,
                "file_overwrite": False,
                "max_memory_size": 1 << 20,
            },
        },
    }
    # Unwritable local stores: anything that still wrote to the file system would fail.
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("")
    settings.EVIDENCE_ROOT = settings.DERIVED_ROOT = blocked
    return s3


def keys(s3, prefix: str) -> set[str]:
    return {item["Key"] for item in s3.list_objects_v2(Bucket=BUCKET, Prefix=prefix).get("Contents", [])}


def test_uploads_are_ingested_from_the_object_store_and_thumbnails_served_from_it(
    client, owner, outsider, exhibit, celery_worker, bucket, settings
):
    settings.MEDIA_ACCEL_REDIRECT = True  # no effect with an object store: the view sends the bytes
    photo = synthetic_image_bytes(4, size=(160, 120))
    clip = video_bytes([1, 2])
    archive = zip_bytes({"inner/p5.jpg": synthetic_image_bytes(5, size=(160, 120)), "note.txt": b"hello\n"})
    client.force_login(owner)
    response = client.post(
        reverse("exhibit_ingest", args=[exhibit.pk]),
        {"files": [upload("p4.jpg", photo), upload("clip.mp4", clip), upload("card.zip", archive)]},
    )
    assert response.status_code == 302
    job = IngestJob.objects.get(exhibit=exhibit)
    wait_until(lambda: IngestJob.objects.get(pk=job.pk).is_finished)
    job.refresh_from_db()
    assert job.status == "done" and job.files_total == 5  # three uploads, two members of the zip
    # The uploads are objects named by their SHA-256, read from there by the worker.
    assert keys(bucket, "evidence/") == {f"evidence/{h[:2]}/{h}" for h in map(sha256_hex, (photo, clip, archive))}
    assert all(path.startswith("stored:evidence/") for path in IngestSource.objects.values_list("path", flat=True))
    files = {f.path.rsplit("/", 1)[-1]: f for f in EvidenceFile.objects.filter(job=job)}
    assert files["p4.jpg"].sha256_hex == sha256_hex(photo) and files["p4.jpg"].phash
    assert files["clip.mp4"].duration and files["clip.mp4"].triage == "new_video"  # PyAV read the object
    assert files["p5.jpg"].thumbnail and files["note.txt"].triage == "other"  # the zip, walked from the store
    assert not any(f.error for f in files.values())
    # Thumbnails are objects too, served through the view (bytes, no X-Accel-Redirect).
    thumbnail = files["p4.jpg"].thumbnail
    assert f"derived/{thumbnail}" in keys(bucket, "derived/thumbnails/")
    url = reverse("file_thumbnail", args=[files["p4.jpg"].pk])
    revealed = client.get(url, {"reveal": "1"})
    stored = bucket.get_object(Bucket=BUCKET, Key=f"derived/{thumbnail}")["Body"].read()
    assert revealed.status_code == 200 and revealed.content == stored
    assert not revealed.has_header("X-Accel-Redirect") and "no-store" in revealed["Cache-Control"]
    assert client.get(url).content  # the veiled copy, kept in the store as well
    assert any(key.startswith("derived/veiled-") for key in keys(bucket, "derived/"))
    client.force_login(outsider)
    assert client.get(url, {"reveal": "1"}).status_code == 404  # control of the owner's 200 above


def health(client) -> tuple[int, dict]:
    with ThreadPoolExecutor(1) as pool:
        response = pool.submit(client.get, reverse("health"), headers={"Accept": "application/json"}).result()
    return response.status_code, {name.split("(")[0]: state for name, state in response.json().items()}


def test_health_checks_the_object_store(client, celery_worker, bucket, s3_server):
    status, checks = health(client)
    assert status == 200 and checks["EvidenceStorage"] == "OK", checks
    s3_server[0].stop()  # the store goes away
    status, checks = health(client)
    assert status == 500 and checks["EvidenceStorage"] != "OK" and checks["Database"] == "OK"
