"""A file larger than one chunk goes up in pieces from the browser, survives a dropped connection, and is ingested."""

import hashlib
import random
import re

import pytest
from playwright.sync_api import expect

from evidence.models import ChunkedUpload, EvidenceFile, IngestJob
from tests.browser.test_walkthrough import log_in
from tests.factories import totp_device, wait_until

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_multi_chunk_upload_resumes_after_a_dropped_connection(
    page, live_server, celery_worker, screenshot, owner, exhibit, settings, tmp_path
):
    settings.UPLOAD_CHUNK_BYTES = 64 * 1024
    settings.UPLOAD_TEMP_ROOT = tmp_path / "uploads"
    content = random.Random(5).randbytes(400_000)  # seven chunks
    disk = tmp_path / "usb-dump.bin"
    disk.write_bytes(content)
    totp_device(owner)
    log_in(page, live_server.url, "owner")
    page.goto(f"{live_server.url}/exhibits/{exhibit.pk}/ingest/")

    chunks, dropped = [], []

    def network(route):
        chunks.append(route.request.url)
        if "offset=196608" in route.request.url and not dropped:
            dropped.append(route.request.url)
            route.abort("connectionreset")  # the connection drops in the middle of the upload
        else:
            route.continue_()

    page.route(re.compile(r"/chunk/\?offset="), network)
    page.get_by_label("Files").set_input_files(str(disk))
    page.get_by_role("button", name="Ingest").click()
    page.wait_for_url(re.compile(rf"/exhibits/{exhibit.pk}/$"))
    expect(page.get_by_text("Files received; the workers are hashing them.")).to_be_visible()
    screenshot("chunked-upload")

    assert dropped and len(chunks) == 8  # seven chunks, one of them sent twice
    upload = ChunkedUpload.objects.get()
    assert (upload.status, bytes(upload.sha256)) == ("stored", hashlib.sha256(content).digest())
    wait_until(lambda: IngestJob.objects.get().status == "done")
    assert EvidenceFile.objects.get(path="usb-dump.bin").sha256_hex == hashlib.sha256(content).hexdigest()
