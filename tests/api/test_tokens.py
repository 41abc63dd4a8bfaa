import hashlib

from django.test import Client
from django.urls import reverse

from api.models import ApiToken
from audit.models import AuditEvent
from tests.api.conftest import TokenClient

DOSSIERS = reverse("api:dossier_list")


def test_a_user_creates_a_token_shown_once_and_stored_only_as_its_sha256(client, colleague):
    client.force_login(colleague)
    response = client.post(reverse("api_tokens"), {"name": "Workstation 3"})
    assert response.status_code == 200
    key = response.context["new_key"]
    assert key.encode() in response.content
    token = ApiToken.objects.get(user=colleague)
    assert bytes(token.digest) == hashlib.sha256(key.encode()).digest()
    assert key not in str(ApiToken.objects.filter(pk=token.pk).values().get())
    assert AuditEvent.objects.filter(action="api_token.create", actor=colleague, target_id=str(token.pk)).exists()
    # Shown once: the page lists the token by name and prefix, never the key again.
    assert key.encode() not in client.get(reverse("api_tokens")).content
    assert TokenClient(key).get(DOSSIERS).status_code == 200


def test_a_revoked_token_opens_nothing_and_the_revocation_is_audited(client, colleague):
    client.force_login(colleague)
    key = client.post(reverse("api_tokens"), {"name": "Script"}).context["new_key"]
    token = ApiToken.objects.get(user=colleague)
    response = client.post(reverse("api_token_revoke", args=[token.pk]))
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert AuditEvent.objects.filter(action="api_token.revoke", actor=colleague, target_id=str(token.pk)).exists()
    refused = TokenClient(key).get(DOSSIERS)
    assert refused.status_code == 401
    assert refused.json()["detail"] == "Invalid or revoked token."


def test_nobody_revokes_someone_elses_token(client, colleague, outsider):
    client.force_login(colleague)
    client.post(reverse("api_tokens"), {"name": "Mine"})
    token = ApiToken.objects.get(user=colleague)
    client.force_login(outsider)
    assert client.post(reverse("api_token_revoke", args=[token.pk])).status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


def test_the_user_menu_links_to_the_tokens_page(client, colleague):
    client.force_login(colleague)
    assert reverse("api_tokens").encode() in client.get(reverse("home")).content


def test_a_disabled_users_token_opens_nothing(token_client, colleague):
    client = token_client(colleague)
    colleague.is_active = False
    colleague.save(update_fields=["is_active"])
    assert client.get(DOSSIERS).status_code == 401


def test_a_session_opens_nothing_in_the_api_and_is_not_redirected(client, colleague, dossier):
    """The API takes tokens only: a verified session gets 401, an unverified one is not sent to the second factor."""
    client.force_login(colleague)
    assert client.get(DOSSIERS).status_code == 401
    unverified = Client()
    unverified.force_login(colleague)
    response = unverified.get(DOSSIERS)
    assert response.status_code == 401
    assert response.json()["detail"]


def test_a_token_request_is_not_sent_to_the_second_factor(token_client, colleague, dossier):
    """A token stands for a user without a second factor on this request: no redirect, the data."""
    response = token_client(colleague).get(DOSSIERS)
    assert response.status_code == 200
    assert response.json()["results"][0]["notice_number"] == dossier.notice_number
    assert response["Cache-Control"].startswith("max-age=0") or "no-store" in response["Cache-Control"]


def test_a_garbled_authorization_header_is_a_401(colleague):
    for header in ("Token", "Token a b", "Bearer nope", "Token \u00e9"):
        response = Client().get(DOSSIERS, HTTP_AUTHORIZATION=header)
        assert response.status_code == 401, header
        assert response.json()["detail"]
