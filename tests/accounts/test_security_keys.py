"""WebAuthn security keys: registration and login ceremonies driven through the real views, with a
software key (tests/accounts/soft_authenticator.py) signing as a USB key would."""

import json

from cryptography.hazmat.primitives.asymmetric import ec
from django.urls import reverse

from accounts.models import SecurityKey
from audit.models import AuditEvent
from tests.accounts.soft_authenticator import SoftAuthenticator
from tests.factories import PASSWORD, totp_code, totp_device


def post_json(client, url, body=None):
    return client.post(url, data=json.dumps(body or {}), content_type="application/json")


def register_key(client, authenticator, name="YubiKey") -> dict:
    options = post_json(client, reverse("security_key_options")).json()
    return post_json(
        client, reverse("security_key_register"), {"name": name, "credential": authenticator.create(options)}
    )


def password_login(client, username):
    client.logout()
    assert client.post(reverse("login"), {"username": username, "password": PASSWORD}).status_code == 302


def key_login(client, authenticator, **answer):
    options = post_json(client, reverse("security_key_login_options")).json()
    return post_json(client, reverse("security_key_login_verify"), {"credential": authenticator.get(options, **answer)})


def test_an_admin_registers_a_key_then_logs_in_with_it(client, admin):
    authenticator = SoftAuthenticator()
    client.force_login(admin)
    page = client.get(reverse("security_keys"))
    assert page.status_code == 200 and b"js/security-keys.js" in page.content and b"<script>" not in page.content
    response = register_key(client, authenticator)
    assert response.status_code == 200, response.content
    key = SecurityKey.objects.get(user=admin)
    assert (key.name, bytes(key.credential_id), key.transports) == ("YubiKey", authenticator.credential_id, ["usb"])
    assert AuditEvent.objects.filter(action="two_factor.security_key_add", actor=admin).exists()

    password_login(client, "admin")
    assert client.get(reverse("home")).status_code == 302  # the password alone opens nothing
    assert b"Use my security key" in client.get(reverse("second_factor")).content
    response = key_login(client, authenticator)
    assert response.status_code == 200 and response.json()["redirect"] == "/"
    assert client.get(reverse("home")).status_code == 200
    event = AuditEvent.objects.filter(action="login.second_factor", actor=admin).latest("id")
    assert event.detail["device"] == "SecurityKey"
    key.refresh_from_db()
    assert key.sign_count == 1 and key.last_used_at is not None


def test_a_wrong_signature_is_refused_and_the_right_one_accepted(client, admin):
    authenticator = SoftAuthenticator()
    client.force_login(admin)
    register_key(client, authenticator)
    password_login(client, "admin")
    impostor = ec.generate_private_key(ec.SECP256R1())
    refused = key_login(client, authenticator, key=impostor)
    assert refused.status_code == 400 and "could not be verified" in refused.json()["error"]
    assert client.get(reverse("home")).status_code == 302
    failure = AuditEvent.objects.filter(action="login.second_factor_failure", actor=admin).latest("id")
    assert failure.detail["device"] == "SecurityKey"
    assert key_login(client, authenticator).status_code == 200  # control: the key's own signature
    assert client.get(reverse("home")).status_code == 200


def test_a_replayed_answer_or_a_counter_that_did_not_grow_is_refused(client, admin):
    authenticator = SoftAuthenticator()
    client.force_login(admin)
    register_key(client, authenticator)
    password_login(client, "admin")
    options = post_json(client, reverse("security_key_login_options")).json()
    answer = authenticator.get(options, sign_count=5)
    assert post_json(client, reverse("security_key_login_verify"), {"credential": answer}).status_code == 200

    password_login(client, "admin")
    # The same answer again: its challenge was used up.
    post_json(client, reverse("security_key_login_options"))
    assert post_json(client, reverse("security_key_login_verify"), {"credential": answer}).status_code == 400
    # A fresh challenge signed with the same counter (a cloned key): refused.
    assert key_login(client, authenticator, sign_count=5).status_code == 400
    assert client.get(reverse("home")).status_code == 302
    assert key_login(client, authenticator, sign_count=6).status_code == 200  # control
    assert SecurityKey.objects.get(user=admin).sign_count == 6


def test_a_registration_answer_for_another_challenge_is_refused(client, admin):
    authenticator = SoftAuthenticator()
    client.force_login(admin)
    stale = post_json(client, reverse("security_key_options")).json()
    post_json(client, reverse("security_key_options"))  # a new challenge replaces the first
    response = post_json(
        client, reverse("security_key_register"), {"name": "x", "credential": authenticator.create(stale)}
    )
    assert response.status_code == 400
    assert AuditEvent.objects.filter(action="two_factor.security_key_refused", actor=admin).exists()
    assert register_key(client, SoftAuthenticator()).status_code == 200  # control
    assert SecurityKey.objects.filter(user=admin).count() == 1


def test_with_the_admin_policy_an_admin_must_use_a_key_and_others_keep_their_codes(client, admin, owner, settings):
    settings.ADMIN_REQUIRE_WEBAUTHN = True
    authenticator = SoftAuthenticator()
    device = totp_device(admin)
    password_login(client, "admin")
    client.post(reverse("second_factor"), {"token": totp_code(device)})
    # Verified by a code, but the policy wants a key: registering one is all the admin can do.
    response = client.get(reverse("hashlist_index"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("security_keys"))
    assert b"Register one now" in client.get(reverse("security_keys")).content
    assert register_key(client, authenticator).status_code == 200
    assert client.get(reverse("hashlist_index")).status_code == 200  # the key verified this session

    password_login(client, "admin")
    page = client.get(reverse("second_factor")).content
    assert b"Use my security key" in page and b'name="token"' not in page
    client.post(reverse("second_factor"), {"token": totp_code(device)})
    assert client.get(reverse("hashlist_index")).status_code == 302  # a code no longer opens it
    assert key_login(client, authenticator).status_code == 200
    assert client.get(reverse("hashlist_index")).status_code == 200

    # Control: an investigator logs in with a code as before.
    owner_device = totp_device(owner)
    password_login(client, "owner")
    client.post(reverse("second_factor"), {"token": totp_code(owner_device)})
    assert client.get(reverse("home")).status_code == 200


def test_keys_are_for_admins_and_each_removes_only_their_own(client, admin, owner):
    client.force_login(owner)
    assert client.get(reverse("security_keys")).status_code == 403
    assert post_json(client, reverse("security_key_options")).status_code == 403
    client.force_login(admin)
    register_key(client, SoftAuthenticator())
    key = SecurityKey.objects.get(user=admin)
    other_admin_key = SecurityKey.objects.create(user=owner, name="theirs", credential_id=b"x", public_key=b"y")
    assert client.post(reverse("security_key_remove", args=[other_admin_key.pk])).status_code == 404
    assert client.post(reverse("security_key_remove", args=[key.pk])).status_code == 302  # control
    assert not SecurityKey.objects.filter(user=admin).exists()
    assert AuditEvent.objects.filter(action="two_factor.security_key_remove", actor=admin).exists()


def test_revoking_a_users_factors_removes_their_keys(client, admin):
    client.force_login(admin)
    register_key(client, SoftAuthenticator())
    from accounts.two_factor import second_factors_revoke

    second_factors_revoke(user=admin, by=admin)
    assert not SecurityKey.objects.filter(user=admin).exists()
