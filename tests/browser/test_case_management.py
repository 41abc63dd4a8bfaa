"""An investigator records a search with three exhibits and two suspects and moves the dossier to
positive; then the prosecutor reads the board. Headless Chromium, keyboard-usable forms."""

import pytest
from playwright.sync_api import expect

from tests.browser.test_walkthrough import log_in, log_out
from tests.factories import make_dossier

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_investigator_registers_a_search_exhibits_suspects_and_the_prosecutor_reads_the_board(
    page, live_server, screenshot, owner, prosecutor
):
    base = live_server.url
    make_dossier(owner, notice_number="BR.52.L1.005151/26", title="Shared folder on a forum", prosecutor=prosecutor)

    log_in(page, base, "owner")
    page.get_by_role("link", name="BR.52.L1.005151/26").click()
    page.get_by_role("link", name="Register a search").click()
    page.get_by_label("Address").fill("Rue de l'Exemple 7, 1000 Bruxelles")
    page.get_by_label("Date and time").fill("2026-01-12T06:00")
    page.get_by_label("Warrant reference").fill("JI-2026-0007")
    page.get_by_label("Issuing judge").fill("Juge Exemple")
    page.get_by_label("Officers present").fill("Insp. Martin\nInsp. Claes")
    page.get_by_label("Outcome").fill("Computer, disk and phone seized")
    page.get_by_role("button", name="Register the search").click()
    expect(page.get_by_role("heading", name="Search of 2026-01-12 06:00")).to_be_visible()

    page.get_by_role("link", name="Register exhibits from a CSV").click()
    page.get_by_label("Exhibits (CSV)").fill(
        "seal_number,kind,make,model,capacity,parent_seal\n"
        "SC-51-001,Computer,Dell,OptiPlex,,\n"
        "SC-51-002,internal_disk,Seagate,Barracuda,1 TB,SC-51-001\n"
        "SC-51-003,Phone,Samsung,Galaxy,128 GB,\n"
    )
    page.get_by_role("button", name="Preview").click()
    expect(page.locator("table.preview tbody tr")).to_have_count(3)
    screenshot("10-bulk-preview")
    page.get_by_role("button", name="Confirm and register 3 exhibits").click()
    expect(page.get_by_text("3 exhibits registered.")).to_be_visible()
    expect(page.get_by_role("heading", name="3 exhibits seized")).to_be_visible()

    for name, birth_date, status in (
        ("Luc Exemple", "1984-03-14", "Arrested under warrant"),
        ("Sara Fictive", "", "Summoned"),
    ):
        page.get_by_role("link", name="BR.52.L1.005151/26").click()
        page.get_by_role("link", name="Register a suspect").click()
        page.locator("#id_full_name").fill(name)
        if birth_date:
            page.get_by_label("Birth date").fill(birth_date)
        page.get_by_label("User names").fill(name.lower().replace(" ", "_"))
        page.get_by_label("Status").select_option(label=status)
        page.get_by_label("Rue de l'Exemple 7").check()
        page.get_by_role("button", name="Register the suspect").click()
        expect(page.get_by_role("heading", name=name)).to_be_visible()
        expect(page.get_by_test_id("suspect-status")).to_have_text(status)

    page.get_by_role("link", name="BR.52.L1.005151/26").click()
    for status, reason in (("Under investigation", "Warrant executed"), ("Positive", "Material found on SC-51-002")):
        page.get_by_label("New status").select_option(label=status)
        page.get_by_label("Reason").fill(reason)
        page.get_by_role("button", name="Change status").click()
        expect(page.get_by_test_id("dossier-status")).to_have_text(status)
    page.get_by_role("link", name="Timeline", exact=True).click()
    expect(page.locator(".timeline li[data-kind=seizure]")).to_have_count(3)
    screenshot("11-investigator-timeline")
    log_out(page)

    log_in(page, base, "prosecutor")
    page.get_by_role("link", name="Board", exact=True).first.click()
    row = page.locator("tr[data-notice='BR.52.L1.005151/26']")
    expect(row).to_contain_text("Positive")
    expect(row.locator("[data-figure=suspects]")).to_have_text("2")
    expect(row.locator("[data-figure=arrested]")).to_have_text("1")
    expect(row.locator("[data-figure=pending]")).to_have_text("3")
    expect(page.locator("main img")).to_have_count(0)
    screenshot("12-prosecutor-board")
