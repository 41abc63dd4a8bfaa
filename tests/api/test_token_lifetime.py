"""A token ends with the credentials that made it (a password change, a second-factor reset, a
disabled account), expires, is made only after a recent second factor, and shows its last use."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from api.models import ApiToken
from audit.models import AuditEvent
from tests.admin_forms import admin_form_data
from tests.api.conftest import TokenClient
from tests.factories import totp_code, totp_device

DOSSIERS = reverse("api:dossier_list")
CHANGED = "password or second factor changed"


def make_token(client, user, **form) -> str:
    client.force_login(user)
    response = client.post(reverse("api_tokens"), {"name": "Workstation", **form})
    assert response.status_code == 200, response
    return response.context["new_key"]


def age_second_factor(client, seconds: int) -> None:
    session = client.session
    session["second_factor_at"] -= seconds
    session.save()


def test_a_password_changed_in_the_admin_ends_the_users_tokens(client, admin, colleague, owner):
    key, others = make_token(client, colleague), make_token(client, owner)
    assert TokenClient(key).get(DOSSIERS).status_code == 200  # control: it worked before
    client.force_login(admin)
    url = reverse("admin:auth_user_password_change", args=[colleague.pk])
    password = "another long passphrase 7"
    assert client.post(url, {"password1": password, "password2": password, "set-password": "1"}).status_code == 302
    refused = TokenClient(key).get(DOSSIERS)
    assert refused.status_code == 401 and CHANGED in refused.json()["detail"]
    assert TokenClient(others).get(DOSSIERS).status_code == 200  # control: someone else's token holds
    colleague.refresh_from_db()
    assert TokenClient(make_token(client, colleague)).get(DOSSIERS).status_code == 200  # control: a new one works


def test_a_password_changed_by_any_other_path_ends_the_tokens_too(client, colleague):
    key = make_token(client, colleague)
    colleague.set_password("changed from the shell, 12+ chars")
    colleague.save(update_fields=["password"])
    assert TokenClient(key).get(DOSSIERS).status_code == 401


def test_a_second_factor_reset_ends_the_users_tokens_adding_one_does_not(client, admin, colleague):
    key = make_token(client, colleague)
    TOTPDevice.objects.create(user=colleague, name="spare phone", confirmed=True)
    assert TokenClient(key).get(DOSSIERS).status_code == 200  # control: a factor added changes nothing
    client.force_login(admin)
    client.post(
        reverse("admin:auth_user_changelist"), {"action": "revoke_second_factors", "_selected_action": [colleague.pk]}
    )
    refused = TokenClient(key).get(DOSSIERS)
    assert refused.status_code == 401 and CHANGED in refused.json()["detail"]
    # Enrolling again gives new factors: the old token stays refused.
    totp_device(colleague)
    assert TokenClient(key).get(DOSSIERS).status_code == 401


def test_disabling_a_user_revokes_their_tokens_for_good(client, admin, colleague, owner):
    key, others = make_token(client, colleague), make_token(client, owner)
    client.force_login(admin)
    url = reverse("admin:auth_user_change", args=[colleague.pk])
    assert client.post(url, admin_form_data(client.get(url), is_active=None)).status_code == 302
    token = ApiToken.objects.get(user=colleague, revoked_at__isnull=False)
    event = AuditEvent.objects.get(action="api_token.revoke", target_id=str(token.pk))
    assert event.actor == admin and event.detail["reason"] == "user disabled"
    assert TokenClient(key).get(DOSSIERS).status_code == 401
    colleague.refresh_from_db()
    colleague.is_active = True
    colleague.save(update_fields=["is_active"])
    assert TokenClient(key).get(DOSSIERS).status_code == 401  # enabled again: still revoked
    assert TokenClient(others).get(DOSSIERS).status_code == 200  # control


def test_a_token_expires_after_the_days_chosen(client, colleague):
    key = make_token(client, colleague, days=7)
    token = ApiToken.objects.get(user=colleague)
    assert abs(token.expires_at - (timezone.now() + timedelta(days=7))) < timedelta(minutes=1)
    assert TokenClient(key).get(DOSSIERS).status_code == 200  # control: not yet expired
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    refused = TokenClient(key).get(DOSSIERS)
    assert refused.status_code == 401 and "expired" in refused.json()["detail"]
    assert b"expired" in client.get(reverse("api_tokens")).content


def test_a_token_lives_api_token_days_at_most(client, colleague, settings):
    settings.API_TOKEN_DAYS = 30
    client.force_login(colleague)
    refused = client.post(reverse("api_tokens"), {"name": "Too long", "days": 31})
    assert refused.status_code == 200 and refused.context["new_key"] is None
    assert refused.context["form"].errors["days"]
    assert not ApiToken.objects.filter(user=colleague).exists()
    make_token(client, colleague)  # control: no choice is the longest allowed
    token = ApiToken.objects.get(user=colleague)
    assert abs(token.expires_at - (timezone.now() + timedelta(days=30))) < timedelta(minutes=1)


def test_creating_a_token_asks_for_a_recent_second_factor(client, colleague):
    device = totp_device(colleague)
    client.force_login(colleague)
    age_second_factor(client, 3600)
    page = client.get(reverse("api_tokens"))
    assert b'data-testid="token-step-up"' in page.content and b'name="name"' not in page.content
    response = client.post(reverse("api_tokens"), {"name": "Stale session"})
    assert response.status_code == 302 and "step_up=1" in response["Location"]
    assert not ApiToken.objects.filter(user=colleague).exists()
    step_up = {"token": totp_code(device), "step_up": "1", "next": reverse("api_tokens")}
    assert client.post(reverse("second_factor"), step_up)["Location"] == reverse("api_tokens")
    assert client.post(reverse("api_tokens"), {"name": "Fresh"}).context["new_key"]  # control


def test_the_tokens_page_shows_when_each_token_was_last_used(client, colleague):
    key = make_token(client, colleague)
    assert b'data-testid="token-last-used">never<' in client.get(reverse("api_tokens")).content
    TokenClient(key).get(DOSSIERS)
    token = ApiToken.objects.get(user=colleague)
    assert token.last_used_at is not None
    page = client.get(reverse("api_tokens")).content.decode()
    assert 'data-testid="token-last-used">never<' not in page
