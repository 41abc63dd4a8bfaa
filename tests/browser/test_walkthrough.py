"""A new user's first session, in headless Chromium, with a real Celery worker behind the pages."""

import hashlib
import re

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from evidence.synthetic import synthetic_image_bytes
from tests.factories import PASSWORD, totp_code, totp_device

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in(page, base: str, username: str) -> None:
    page.goto(f"{base}/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_label("Password").press("Enter")  # keyboard only
    page.wait_for_url(re.compile(r"/(login/verify|account/two-factor)/"))
    if page.get_by_role("heading", name="Set up two-factor login").is_visible():
        # First login: the authenticator app is enrolled from the key on the page.
        TOTPDevice.objects.get(user__username=username, confirmed=False)  # the page created it
        page.get_by_label("Code").fill(totp_code(TOTPDevice.objects.get(user__username=username)))
        page.get_by_role("button", name="Confirm").click()
        expect(page.get_by_test_id("recovery-codes").locator("li")).to_have_count(10)
        page.get_by_role("link", name="Continue").click()
    else:
        expect(page.get_by_role("heading", name="Enter your code")).to_be_visible()
        page.get_by_label("Code").fill(totp_code(TOTPDevice.objects.get(user__username=username, confirmed=True)))
        page.get_by_label("Code").press("Enter")
    expect(page.get_by_text(username, exact=True)).to_be_visible()


def log_out(page) -> None:
    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()


def test_admin_imports_a_list_investigator_ingests_prosecutor_reads(
    page, live_server, celery_worker, screenshot, admin, owner, prosecutor, tmp_path
):
    base = live_server.url
    totp_device(owner)
    totp_device(prosecutor)  # the admin enrols an authenticator at first login, in the page
    images = {f"photo{seed}.jpg": synthetic_image_bytes(seed) for seed in range(1, 6)}
    for name, content in images.items():
        (tmp_path / name).write_bytes(content)
    (tmp_path / "damaged.jpg").write_bytes(images["photo5.jpg"][:2500])
    hash_list = tmp_path / "alerts.txt"
    hash_list.write_text(
        "# synthetic alert list\n"
        f"{hashlib.sha256(images['photo1.jpg']).hexdigest()}\n"
        f"{hashlib.md5(images['photo2.jpg']).hexdigest().upper()}  photo2.jpg\n"
        "this line is malformed\n"
    )

    # The admin imports a hash list and watches a worker load it.
    log_in(page, base, "admin")
    page.get_by_role("link", name="Hash lists").click()
    expect(page.get_by_text("No hash list yet")).to_be_visible()
    page.get_by_role("link", name="Import a list").click()
    page.get_by_label("List name").fill("Synthetic alerts")
    page.get_by_label("Category", exact=True).fill("1")
    page.get_by_label("File").set_input_files(str(hash_list))
    page.get_by_role("button", name="Import").click()
    expect(page.get_by_test_id("detected-format")).to_have_text("Plain text / md5sum / sha256sum")
    page.get_by_role("button", name="Import this list").click()
    expect(page.locator(".version[data-status=ready]")).to_be_visible()
    expect(page.get_by_text("2 entries")).to_be_visible()
    expect(page.get_by_text("1 malformed lines")).to_be_visible()
    screenshot("01-admin-hash-list")
    log_out(page)

    # The investigator opens a dossier, registers an exhibit and ingests files.
    log_in(page, base, "owner")
    expect(page.get_by_text("You are not a member of any dossier yet")).to_be_visible()
    page.get_by_role("link", name="Open a dossier").click()
    page.get_by_label("Notice number").fill("BR.52.L1.004242/26")
    page.get_by_label("Title").fill("Forum image sharing")
    page.get_by_label("Prosecutor").select_option(label="prosecutor")
    page.get_by_role("button", name="Open the dossier").click()
    expect(page.get_by_role("heading", name="BR.52.L1.004242/26")).to_be_visible()
    page.get_by_role("link", name="Register an exhibit").click()
    page.get_by_label("Kind").select_option(label="USB key")
    page.get_by_label("Seal number").fill("SC-26-0042")
    page.get_by_label("Description").fill("Black 32 GB USB key")
    page.get_by_role("button", name="Register").click()
    expect(page.get_by_role("heading", name="Exhibit SC-26-0042")).to_be_visible()
    page.get_by_role("link", name="Ingest files").click()
    page.get_by_label("Files").set_input_files([str(tmp_path / name) for name in [*images, "damaged.jpg"]])
    page.get_by_role("button", name="Ingest").click()
    expect(page.locator(".job progress")).to_be_visible()
    # The progress fragment polls the server and the page reloads itself once the job is done.
    expect(page.locator(".job[data-status=done]")).to_be_visible(timeout=60_000)
    expect(page.get_by_text("6 of 6 files")).to_be_visible()
    rows = page.locator("table.files tbody tr")
    expect(rows).to_have_count(6)
    photo1 = page.locator("tr[data-path='photo1.jpg']")
    expect(photo1).to_contain_text(hashlib.sha256(images["photo1.jpg"]).hexdigest())
    expect(photo1).to_contain_text("Known material")
    expect(page.locator("tr[data-path='photo2.jpg']")).to_contain_text("Synthetic alerts")
    expect(page.locator("tr[data-path='photo3.jpg']")).to_contain_text("New image")
    expect(page.locator("tr[data-path='damaged.jpg']")).to_contain_text("corrupt image")
    totals = page.locator("table.totals")
    expect(totals.locator("tr[data-state=known] [data-count]")).to_have_text("2")
    expect(totals.locator("tr[data-state=new_image] [data-count]")).to_have_text("3")
    expect(totals.locator("tr[data-state=error] [data-count]")).to_have_text("1")
    screenshot("02-investigator-exhibit")
    page.get_by_role("link", name="photo1.jpg").click()
    expect(page.get_by_text("This view is recorded in the audit log.")).to_be_visible()
    page.get_by_role("link", name="BR.52.L1.004242/26").click()
    expect(page.locator("table.totals tr[data-state=known] [data-count]")).to_have_text("2")
    log_out(page)

    # The prosecutor sees the dossier's status and totals, read-only and without any image.
    log_in(page, base, "prosecutor")
    page.get_by_role("link", name="BR.52.L1.004242/26").click()
    expect(page.get_by_test_id("dossier-status")).to_have_text("Opened")
    expect(page.locator("table.totals tr[data-state=known] [data-count]")).to_have_text("2")
    expect(page.get_by_role("link", name="Register an exhibit")).to_have_count(0)
    page.get_by_role("link", name="Exhibits", exact=True).click()  # the dossier's exhibits tab
    page.get_by_role("link", name="SC-26-0042").click()
    expect(page.locator("table.totals tr[data-state=new_image] [data-count]")).to_have_text("3")
    expect(page.get_by_role("link", name="Ingest files")).to_have_count(0)
    expect(page.locator("table.files")).to_have_count(0)
    expect(page.locator("main img")).to_have_count(0)
    assert not re.search(r"photo\d\.jpg", page.content())
    screenshot("03-prosecutor-exhibit")
