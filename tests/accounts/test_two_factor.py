import re
import time

from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from audit.models import AuditEvent
from tests.factories import PASSWORD, totp_code, totp_device


def password_login(client, username):
    response = client.post(reverse("login"), {"username": username, "password": PASSWORD})
    assert response.status_code == 302
    return response


def test_a_password_alone_opens_no_page(client, owner, dossier):
    device = totp_device(owner)
    password_login(client, "owner")
    for url in (reverse("home"), dossier.get_absolute_url()):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(reverse("second_factor"))
    response = client.post(
        reverse("second_factor") + f"?next={dossier.get_absolute_url()}", {"token": totp_code(device)}
    )
    assert response["Location"] == dossier.get_absolute_url()
    assert client.get(dossier.get_absolute_url()).status_code == 200  # control
    assert AuditEvent.objects.filter(action="login.second_factor", actor=owner).exists()


def test_a_wrong_code_is_refused_and_logged(client, owner):
    device = totp_device(owner)
    password_login(client, "owner")
    wrong = f"{(int(totp_code(device)) + 1) % 1_000_000:06d}"
    response = client.post(reverse("second_factor"), {"token": wrong})
    assert response.status_code == 200 and b"This code is not valid" in response.content
    assert client.get(reverse("home")).status_code == 302
    assert AuditEvent.objects.filter(action="login.second_factor_failure", actor=owner).exists()


def test_first_login_enrols_an_authenticator_and_shows_recovery_codes_once(client, owner):
    password_login(client, "owner")
    page = client.get(reverse("two_factor_setup")).content.decode()
    secret = re.search(r'data-testid="totp-secret">([A-Z2-7 ]+)<', page).group(1)
    assert client.get(reverse("two_factor_qr"))["Content-Type"] == "image/svg+xml"
    device = TOTPDevice.objects.get(user=owner, confirmed=False)
    assert secret.replace(" ", "") == __import__("base64").b32encode(device.bin_key).decode()
    assert b"not valid" in client.post(reverse("two_factor_setup"), {"token": "000000"}).content
    time.sleep(1.1)  # django-otp throttles a device for a second after a wrong code
    response = client.post(reverse("two_factor_setup"), {"token": totp_code(device)})
    codes = re.findall(r"<li><code>(\d{8})</code></li>", response.content.decode())
    assert len(codes) == 10
    assert client.get(reverse("home")).status_code == 200
    assert client.get(reverse("two_factor_setup")).status_code == 302  # no second enrolment page


def test_a_recovery_code_opens_one_session_only(client, owner):
    totp_device(owner)
    device = StaticDevice.objects.create(user=owner, name="recovery codes", confirmed=True)
    device.token_set.create(token="12345678")
    password_login(client, "owner")
    assert client.post(reverse("second_factor"), {"token": "1234 5678"}).status_code == 302
    assert client.get(reverse("home")).status_code == 200
    client.post(reverse("logout"))
    password_login(client, "owner")
    assert client.post(reverse("second_factor"), {"token": "12345678"}).status_code == 200  # used up


def test_an_admin_revokes_a_users_factors(client, admin, owner):
    totp_device(owner)
    client.force_login(admin)
    response = client.post(
        reverse("admin:auth_user_changelist"), {"action": "revoke_second_factors", "_selected_action": [owner.pk]}
    )
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=owner).exists()
    assert AuditEvent.objects.filter(action="two_factor.revoke", target_id=str(owner.pk), actor=admin).exists()
    client.logout()
    password_login(client, "owner")
    assert client.get(reverse("home"))["Location"].startswith(reverse("two_factor_setup"))


def test_an_unverified_htmx_request_is_sent_to_the_second_factor_page(client, owner):
    totp_device(owner)
    password_login(client, "owner")
    response = client.get(reverse("home"), headers={"HX-Request": "true"})
    assert response["HX-Redirect"].startswith(reverse("second_factor"))
