"""An admin under the security-key policy registers a key and logs in with it, in headless Chromium
with its virtual authenticator (DevTools protocol): the page's script talks to the key, as with a
real USB key."""

import re

import pytest
from playwright.sync_api import expect

from accounts.models import SecurityKey
from tests.browser.test_walkthrough import log_in, log_out
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_admin_registers_a_security_key_then_logs_in_with_it(page, live_server, screenshot, admin, settings):
    settings.ADMIN_REQUIRE_WEBAUTHN = True
    base = live_server.url
    devtools = page.context.new_cdp_session(page)
    devtools.send("WebAuthn.enable")
    devtools.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "usb",
                "hasResidentKey": False,
                "hasUserVerification": False,
                "automaticPresenceSimulation": True,
            }
        },
    )
    errors = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)

    log_in(page, base, "admin")  # first login: an authenticator app, then the policy asks for a key
    expect(page.get_by_text("Register one now to continue")).to_be_visible()
    page.get_by_label("Name of the key").fill("Virtual key")
    screenshot("20-security-key-register")
    page.get_by_role("button", name="Add a security key").click()
    expect(page.get_by_text("Security key “Virtual key” added.")).to_be_visible()
    expect(page.get_by_test_id("security-keys")).to_contain_text("Virtual key")
    assert SecurityKey.objects.filter(user=admin, name="Virtual key").exists()
    page.get_by_role("link", name="Hash lists").click()
    expect(page.get_by_role("heading", name=re.compile("Hash lists"))).to_be_visible()

    log_out(page)
    page.get_by_label("Username").fill("admin")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_label("Password").press("Enter")
    expect(page.get_by_role("button", name="Use my security key")).to_be_visible()
    expect(page.get_by_label("Code")).to_have_count(0)  # no code for an admin who has a key
    screenshot("21-security-key-login")
    page.get_by_role("button", name="Use my security key").click()
    page.wait_for_url(f"{base}/")
    page.get_by_role("link", name="Hash lists").click()
    expect(page.get_by_role("heading", name=re.compile("Hash lists"))).to_be_visible()
    assert SecurityKey.objects.get(user=admin).sign_count >= 1
    assert not [e for e in errors if "Content Security Policy" in e]
