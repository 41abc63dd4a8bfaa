from django.conf import settings
from django.urls import reverse
from rest_framework.throttling import UserRateThrottle


def test_the_default_rate_comes_from_settings():
    assert UserRateThrottle.THROTTLE_RATES["user"] == settings.API_THROTTLE_USER


def test_a_user_over_the_rate_gets_a_429_with_a_message(token_client, colleague, monkeypatch):
    monkeypatch.setattr(UserRateThrottle, "THROTTLE_RATES", {"user": "3/minute", "anon": "3/minute"})
    client = token_client(colleague)
    answers = [client.get(reverse("api:dossier_list")).status_code for _ in range(4)]
    assert answers == [200, 200, 200, 429]
    refused = client.get(reverse("api:dossier_list"))
    assert "throttled" in refused.json()["detail"].lower()
    assert int(refused["Retry-After"]) > 0
