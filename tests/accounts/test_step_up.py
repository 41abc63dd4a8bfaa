"""Exports and list activations ask for the second factor again when the last proof is old."""

from django.urls import reverse

from audit.models import AuditEvent
from tests.factories import make_hash_list, totp_code, totp_device


def age_second_factor(client, seconds: int) -> None:
    session = client.session
    session["second_factor_at"] -= seconds
    session.save()


def test_an_export_after_a_stale_second_factor_asks_for_it_again_then_proceeds(client, prosecutor, dossier):
    device = totp_device(prosecutor)
    client.force_login(prosecutor)
    url = reverse("board_export")
    assert client.get(url).status_code == 200  # control: a fresh login exports at once
    age_second_factor(client, 3600)
    response = client.get(url)
    assert response.status_code == 302 and "step_up=1" in response["Location"]
    page = client.get(response["Location"])
    assert b"asks for your second factor again" in page.content
    done = client.post(reverse("second_factor"), {"token": totp_code(device), "step_up": "1", "next": url})
    assert done["Location"] == url
    assert client.get(url).status_code == 200
    assert AuditEvent.objects.filter(action="login.second_factor", actor=prosecutor).exists()


def test_activating_a_list_version_needs_a_recent_second_factor(client, admin):
    version = make_hash_list("Alerts", ["0" * 32], by=admin)
    client.force_login(admin)
    url = reverse("version_activate", args=[version.pk])
    assert client.get(url).status_code == 200  # control
    age_second_factor(client, 3600)
    assert client.post(url).status_code == 302 and "step_up=1" in client.post(url)["Location"]
