"""Issue 5 in a browser: known material recognised, a new series categorised with the keyboard,
shared as VICS, imported as a list, and recognised when it turns up again."""

import hashlib
from pathlib import Path

import pytest
from playwright.sync_api import expect

from evidence.models import EvidenceFile
from hashing.models import HashEntry
from tests.browser.test_walkthrough import log_in
from tests.evidence.review_data import ensure_category_schemes, write_material
from tests.factories import make_dossier, make_exhibit, make_hash_list, totp_device

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def ingest(page, folder: Path) -> None:
    page.get_by_role("link", name="Ingest files").click()
    page.get_by_label("Files").set_input_files(sorted(str(path) for path in folder.rglob("*") if path.is_file()))
    page.get_by_role("button", name="Ingest").click()
    expect(page.locator(".job[data-status=done]")).to_be_visible(timeout=90_000)


def test_review_categorise_export_reimport_and_recognise(
    browser, page, live_server, celery_worker, screenshot, owner, colleague, admin, tmp_path, settings
):
    settings.DERIVED_ROOT = tmp_path / "derived"
    settings.STEP_UP_SECONDS = 3600
    ensure_category_schemes()
    base = live_server.url
    totp_device(owner)
    totp_device(admin)
    files = write_material(tmp_path / "seized", single_seeds=(42, 43))
    make_hash_list("National alerts", [hashlib.sha256(files["photo42.jpg"]).hexdigest()], by=admin, category="2")
    dossier = make_dossier(owner, investigator=colleague)
    first = make_exhibit(dossier, seal_number="SC-26-0100", by=owner)
    second = make_exhibit(dossier, seal_number="SC-26-0101", by=owner)

    # Ingest: the listed photo is recognised by the machine.
    log_in(page, base, "owner")
    page.goto(f"{base}{first.get_absolute_url()}")
    ingest(page, tmp_path / "seized")
    expect(page.locator("table.totals tr[data-state=known] [data-count]")).to_have_text("1")
    expect(page.get_by_test_id("review-link").locator("[data-count]")).to_have_text("5")

    # The review page: veiled thumbnails, the three near-identical images as one tile.
    page.get_by_test_id("review-link").click()
    tiles = page.get_by_test_id("tile")
    expect(tiles).to_have_count(3)  # the video, photo43 and the series
    series = page.locator(".tile", has=page.get_by_test_id("group-count"))
    expect(series.get_by_test_id("group-count")).to_have_text("3 near-identical")
    expect(page.locator(".tile img[src*='reveal=1']")).to_have_count(0)
    page.wait_for_load_state("networkidle")
    screenshot("review-01-grid")

    # Keyboard only: move to the series, reveal it (logged), categorise it VIC 1.
    expect(tiles.first).to_be_focused()
    page.keyboard.press("?")
    expect(page.locator("#keyboard-help")).to_have_attribute("open", "")
    page.keyboard.press("?")
    while not series.evaluate("tile => tile === document.activeElement"):
        page.keyboard.press("ArrowRight")
    page.keyboard.press("r")
    expect(series.locator("img")).to_have_attribute(
        "src", f"/files/{series.get_attribute('data-files').split(',')[0]}/thumbnail/?reveal=1"
    )
    expect(page.locator("[data-exposure=session]")).to_have_text("1")
    screenshot("review-02-revealed")
    page.keyboard.press("r")  # veiled again
    expect(page.locator(".tile img[src*='reveal=1']")).to_have_count(0)
    page.keyboard.press("1")
    expect(series.get_by_test_id("tile-category")).to_have_text("1", timeout=30_000)
    expect(series).to_have_class("tile triage-new_image done")
    screenshot("review-03-categorised")
    page.reload()
    expect(page.get_by_test_id("to-review-count")).to_have_text("2")
    assert set(EvidenceFile.objects.filter(match_algorithm="review").values_list("match_category", flat=True)) == {"1"}

    # Export the dossier's known material as VICS 2.0 (hashes only).
    with page.expect_download() as download_info:
        page.get_by_test_id("export-vics").click()
    vics = tmp_path / "shared.json"
    download_info.value.save_as(vics)
    assert b'"Category": 1' in vics.read_bytes() and b"photo" not in vics.read_bytes()

    # The admin imports the shared file as a new list (another browser session).
    admin_context = browser.new_context(viewport={"width": 1360, "height": 900}, locale="en-GB")
    admin_page = admin_context.new_page()
    log_in(admin_page, base, "admin")
    admin_page.get_by_role("link", name="Hash lists").click()
    admin_page.get_by_role("link", name="Import a list").click()
    admin_page.get_by_label("List name").fill("Shared by the unit")
    admin_page.get_by_label("File").set_input_files(str(vics))
    admin_page.get_by_role("button", name="Import").click()
    expect(admin_page.get_by_test_id("detected-format")).to_have_text("Project VIC VICS JSON")
    admin_page.get_by_role("button", name="Import this list").click()
    expect(admin_page.locator(".version[data-status=ready]")).to_be_visible(timeout=60_000)
    expect(admin_page.get_by_text("0 malformed lines")).to_be_visible()
    admin_context.close()
    imported = {
        (entry.algorithm, bytes(entry.value))
        for entry in HashEntry.objects.filter(version__hash_list__name="Shared by the unit")
    }
    known = EvidenceFile.objects.filter(triage="known")
    assert known.count() == 4
    assert imported == {(number, bytes(getattr(f, name))) for f in known for name, number in HashEntry.BY_NAME.items()}

    # The same series turns up on another exhibit: known at once, nothing left to review.
    (tmp_path / "again").mkdir()
    for number in range(3):
        (tmp_path / "again" / f"copy{number}.jpg").write_bytes(files[f"series/s{number}.jpg"])
    page.goto(f"{base}{second.get_absolute_url()}")
    ingest(page, tmp_path / "again")
    expect(page.locator("table.totals tr[data-state=known] [data-count]")).to_have_text("3")
    expect(page.get_by_test_id("review-link").locator("[data-count]")).to_have_text("0")
    screenshot("review-04-known-again")
    # The lead (owner) sees each member's reveals on the team page.
    page.goto(f"{base}{dossier.get_absolute_url()}")
    expect(page.locator("[data-exposure=owner]")).to_have_text("1 / 1")
    screenshot("review-05-team-exposure")
