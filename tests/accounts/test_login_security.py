import re

import pytest
from django.urls import reverse

from audit.models import AuditEvent
from tests.factories import PASSWORD, totp_code, totp_device


def attempt(client, username, password="wrong", address="10.0.0.1"):
    return client.post(reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=address)


def test_guessing_one_users_password_locks_that_user_name_from_that_address(client, owner, colleague):
    for _ in range(4):
        assert attempt(client, "owner", address="10.0.0.1").status_code == 200
    assert attempt(client, "owner", address="10.0.0.1").status_code == 429  # the fifth failure locks
    assert attempt(client, "owner", PASSWORD, address="10.0.0.1").status_code == 429  # right password, too late
    assert AuditEvent.objects.filter(action="login.failure", detail__locked_out=True, ip="10.0.0.1").exists()
    # Controls: the same name from the owner's own desk, and another name from the guesser's address.
    assert attempt(client, "owner", PASSWORD, address="10.0.0.2").status_code == 302
    client.logout()
    assert attempt(client, "colleague", PASSWORD, address="10.0.0.1").status_code == 302


def test_before_the_limit_the_right_password_works_and_starts_the_count_again(client, owner):
    for _ in range(4):
        attempt(client, "owner", address="10.0.0.1")
    assert attempt(client, "owner", PASSWORD, address="10.0.0.1").status_code == 302
    client.logout()
    assert attempt(client, "owner", address="10.0.0.1").status_code == 200  # not the fifth failure


def test_failures_under_other_names_never_lock_a_user_out(client, owner):
    for number in range(10):
        assert attempt(client, f"made-up-{number}", address="10.0.0.9").status_code == 200
    assert attempt(client, "owner", PASSWORD, address="10.0.0.9").status_code == 302
    client.logout()
    # Control: those failures were counted, per name: a sixth under one of them is refused.
    for _ in range(4):
        attempt(client, "made-up-0", address="10.0.0.9")
    assert attempt(client, "made-up-0", address="10.0.0.9").status_code == 429


def test_the_answers_are_the_same_for_an_unknown_user(client, owner):
    known, unknown = attempt(client, "owner", address="10.0.1.1"), attempt(client, "ghost", address="10.0.1.1")
    assert known.status_code == unknown.status_code == 200
    assert known.context["form"].errors == unknown.context["form"].errors
    for _ in range(4):
        attempt(client, "owner", address="10.0.1.1")
        attempt(client, "ghost", address="10.0.1.1")
    known, unknown = attempt(client, "owner", address="10.0.1.1"), attempt(client, "ghost", address="10.0.1.1")
    assert known.status_code == unknown.status_code == 429
    assert main_text(known) == main_text(unknown) and "Too many failed attempts" in main_text(known)


def main_text(response) -> str:
    """The page's message, without the per-request tokens around it."""
    return re.search(r"<main.*</main>", response.content.decode(), re.S).group(0)


def test_login_gives_a_new_session_id(client, owner):
    client.get(reverse("login"))
    client.cookies["sessionid"] = "attacker-chosen"
    attempt(client, "owner", PASSWORD)
    assert client.cookies["sessionid"].value != "attacker-chosen"
    assert client.get(reverse("home"))["Location"].startswith(reverse("two_factor_setup"))


@pytest.fixture
def logged_in(client, owner):
    device = totp_device(owner)
    assert attempt(client, "owner", PASSWORD).status_code == 302
    assert client.post(reverse("second_factor"), {"token": totp_code(device)}).status_code == 302
    return client


def test_an_idle_session_ends(logged_in, settings):
    assert logged_in.get(reverse("home")).status_code == 200  # control
    settings.SESSION_IDLE_SECONDS = -1
    response = logged_in.get(reverse("home"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    settings.SESSION_IDLE_SECONDS = 3600
    assert logged_in.get(reverse("home")).status_code == 302  # logged out for good
    assert AuditEvent.objects.filter(action="session.end").count() == 1


def test_a_session_ends_at_its_absolute_lifetime_even_when_active(logged_in, settings):
    settings.SESSION_ABSOLUTE_SECONDS = -1
    assert logged_in.get(reverse("home")).status_code == 302


def test_a_session_ends_when_the_roles_change(logged_in, owner):
    assert logged_in.get(reverse("home")).status_code == 200
    owner.groups.clear()
    assert logged_in.get(reverse("home")).status_code == 302


def test_a_disabled_account_is_logged_out(logged_in, owner):
    owner.is_active = False
    owner.save()
    assert logged_in.get(reverse("home")).status_code == 302


def test_pages_of_a_logged_in_user_are_not_cached_and_carry_the_security_headers(logged_in):
    response = logged_in.get(reverse("home"))
    assert "no-store" in response["Cache-Control"]
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy and "frame-ancestors 'none'" in policy
    assert response["X-Frame-Options"] == "DENY" and response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
