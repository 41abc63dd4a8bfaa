"""An investigator finds a street name that only a scanned page holds, on the dossier's Find in files
tab, sees it marked as text read from the picture, opens the file at its text (the picture veiled),
and sets the exhibit's OCR switch. Headless Chromium."""

import pytest
from playwright.sync_api import expect

from demo.documents import STREET, demo_documents
from evidence.ingest.jobs import ingest_job_create_from_path
from tests.browser.test_walkthrough import log_in
from tests.evidence.test_ingest import run_inline
from tests.factories import make_exhibit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_investigator_finds_the_text_of_a_scanned_page(page, live_server, screenshot, owner, dossier, tmp_path, ocr_on):
    base = live_server.url
    exhibit = make_exhibit(dossier, "SC-OCR-1", by=owner)
    folder = demo_documents(tmp_path / "usb")
    run_inline(ingest_job_create_from_path(exhibit=exhibit, path=folder, by=owner, queue=False))

    log_in(page, base, "owner")
    page.get_by_role("link", name=dossier.notice_number).click()
    page.get_by_role("link", name="Find in files").click()
    page.get_by_label("Find").fill(STREET)
    page.get_by_label("Find").press("Enter")
    hits = page.get_by_test_id("hits").locator("li")
    expect(hits).to_have_count(2)  # the scan as a picture and as a PDF without a text layer
    expect(page.locator('[data-kind="ocr"]').first).to_have_text("text read from the picture")
    expect(page.locator("mark").first).to_have_text(STREET)
    screenshot("40-find-in-files-ocr")
    page.get_by_role("link", name="usb/Scans/scan-001.png").click()
    expect(page.get_by_test_id("file-ocr-text")).to_contain_text(STREET)
    expect(page.get_by_test_id("thumbnail-veiled")).to_be_visible()
    screenshot("41-file-text-read-from-the-picture")
    page.get_by_role("link", name="SC-OCR-1").click()
    expect(page.get_by_test_id("ocr-state")).to_have_attribute("data-on", "true")
    page.get_by_label("Read the text in its pictures (OCR)").select_option("off")
    page.get_by_test_id("exhibit-ocr").get_by_role("button", name="Save").click()
    expect(page.get_by_test_id("ocr-state")).to_have_attribute("data-on", "false")
    screenshot("42-exhibit-ocr-switch")
