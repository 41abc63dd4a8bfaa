"""An investigator imports a keyword list with a bad line into a dossier, runs it on a real worker and
reads the files found per term and exhibit; a count opens the search. Headless Chromium."""

import pytest
from playwright.sync_api import expect

from tests.browser.test_walkthrough import log_in
from tests.evidence.test_keyword_lists import stored_document
from tests.factories import make_exhibit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_investigator_imports_runs_and_reads_a_keyword_list(
    page, live_server, screenshot, owner, dossier, exhibit, celery_worker
):
    stored_document(exhibit, owner, "SC-1/chat.txt", "Rendez-vous avec darkfalcon rue de la Loi.")
    stored_document(make_exhibit(dossier, "SC-2", by=owner), owner, "SC-2/mail.txt", "darkfalcon and nighthawk")
    log_in(page, live_server.url, "owner")
    page.goto(f"{live_server.url}/dossiers/{dossier.pk}/find/")
    page.get_by_test_id("keyword-lists-link").click()
    expect(page.get_by_test_id("no-keyword-lists")).to_be_visible()
    page.get_by_label("Name of the list").fill("Op. Falcon")
    page.get_by_label("or terms, one a line").fill('darkfalcon;nickname\n"rue de la loi"\tstreet\n"unclosed\nnight*')
    screenshot("39-keyword-list-import")
    page.get_by_role("button", name="Import").click()
    expect(page.get_by_text("3 terms imported. 1 line refused: see below.")).to_be_visible()
    expect(page.get_by_test_id("keyword-rejected")).to_contain_text("A quotation mark is not closed")
    page.get_by_test_id("keyword-run-start").click()
    # The progress is polled until the run ends, then the page is read again with its table.
    expect(page.locator("#keyword-run")).to_have_attribute("data-status", "done", timeout=60_000)
    row = page.locator('tr[data-term="darkfalcon"]')
    expect(row.locator('td[data-exhibit="SC-1"]')).to_have_text("1")
    expect(row.locator('td[data-exhibit="SC-2"]')).to_have_text("1")
    expect(row.locator("td[data-total]")).to_have_text("2")
    screenshot("40-keyword-list")
    row.locator('td[data-exhibit="SC-2"] a').click()
    expect(page.get_by_test_id("hits")).to_contain_text("SC-2/mail.txt")
    expect(page.get_by_test_id("hits")).not_to_contain_text("SC-1/chat.txt")
