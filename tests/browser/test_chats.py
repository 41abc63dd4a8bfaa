"""An investigator opens the chat accounts of a dossier whose exhibit held a Telegram export, sorts
them, links the account that shared the most known material to a suspect, and finds it on the
suspect's page. Headless Chromium."""

import hashlib

import pytest
from playwright.sync_api import expect

from evidence.ingest.jobs import ingest_job_create_from_path
from tests.browser.test_walkthrough import log_in
from tests.chats.builder import chat, write_export
from tests.chats.conftest import group_a_messages, run_inline
from tests.factories import image_files, make_exhibit, make_hash_list, make_suspect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_investigator_ranks_chat_accounts_and_links_one_to_a_suspect(
    page, live_server, screenshot, owner, admin, dossier, tmp_path
):
    base = live_server.url
    folder = tmp_path / "ChatExport_2025-03-01"
    photos = image_files(folder / "photos", [1, 2, 3, 4])
    (folder / "files").mkdir()
    (folder / "files" / "notes.txt").write_text("meeting notes\n")
    make_hash_list("Alerts", [hashlib.sha256(photos["img1.jpg"]).hexdigest()], by=admin, category="1")
    write_export(folder, chat("Group A", 100, group_a_messages()))
    exhibit = make_exhibit(dossier, "SC-TG-1", by=owner)
    run_inline(ingest_job_create_from_path(exhibit=exhibit, path=folder, by=owner, queue=False))
    make_suspect(dossier, "Alice Exemple")

    log_in(page, base, "owner")
    page.get_by_role("link", name=dossier.notice_number).click()
    page.get_by_role("link", name="Chat accounts").click()
    rows = page.locator("table.accounts tbody tr")
    expect(rows).to_have_count(3)
    expect(rows.first).to_have_attribute("data-account", "user1")
    screenshot("30-chat-accounts")
    page.get_by_test_id("sort-new").click()
    expect(rows.first).to_have_attribute("data-account", "user2")
    page.get_by_test_id("sort-known").click()
    expect(rows.first).to_have_attribute("data-account", "user1")

    rows.first.get_by_role("link", name="Alice").click()
    expect(page.get_by_role("heading", name="Alice")).to_be_visible()
    expect(page.locator('tr[data-message="2"] img')).to_be_visible()  # veiled thumbnail of the known photo
    page.get_by_label("Suspect").select_option(label="Alice Exemple")
    page.get_by_label("Country").fill("BE")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Account user1 saved.")).to_be_visible()
    screenshot("31-chat-account")
    page.get_by_test_id("linked-suspect").click()
    expect(page.get_by_role("heading", name="Alice Exemple")).to_be_visible()
    expect(page.get_by_test_id("chat-accounts")).to_contain_text("user1")
    screenshot("32-suspect-with-chat-account")
