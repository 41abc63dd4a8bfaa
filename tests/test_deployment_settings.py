import os
import secrets
import subprocess
import sys
from pathlib import Path

from django.urls import reverse

ROOT = Path(__file__).resolve().parent.parent


def manage(*args, **env):
    # The browser tests' permission for Playwright's event loop is no part of a deployment.
    inherited = {name: value for name, value in os.environ.items() if name != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**inherited, **env},
        timeout=120,
    )


def test_production_settings_pass_the_deployment_checklist():
    result = manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        SCELLE_DEPLOYMENT="production",
        SECRET_KEY=secrets.token_urlsafe(64),
        AUDIT_CHAIN_KEY=secrets.token_urlsafe(64),
        ALLOWED_HOSTS="scelle.example.org",
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_refuses_to_start_without_a_secret_key():
    environment = {k: v for k, v in os.environ.items() if k != "SECRET_KEY"}
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**environment, "SCELLE_DEPLOYMENT": "production"},
        timeout=120,
    )
    assert result.returncode != 0 and "SECRET_KEY must be set" in result.stderr
    control = manage(
        "check",
        SCELLE_DEPLOYMENT="production",
        SECRET_KEY=secrets.token_urlsafe(64),
        AUDIT_CHAIN_KEY=secrets.token_urlsafe(64),
    )
    assert control.returncode == 0, control.stderr


def test_production_refuses_to_start_without_an_audit_chain_key_or_with_a_short_one():
    environment = {k: v for k, v in os.environ.items() if k != "AUDIT_CHAIN_KEY"}
    production = {"SCELLE_DEPLOYMENT": "production", "SECRET_KEY": secrets.token_urlsafe(64)}
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**environment, **production},
        timeout=120,
    )
    assert result.returncode != 0 and "AUDIT_CHAIN_KEY must be set" in result.stderr
    short = manage("check", **production, AUDIT_CHAIN_KEY="too-short")
    assert short.returncode != 0 and "at least 32 characters" in short.stderr
    control = manage("check", **production, AUDIT_CHAIN_KEY=secrets.token_urlsafe(64))
    assert control.returncode == 0, control.stderr


def test_a_missing_page_shows_our_page_and_no_trace(client, owner, settings):
    settings.DEBUG = False
    client.force_login(owner)
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    assert b"There is nothing here" in response.content and b"Traceback" not in response.content
    assert client.get(reverse("home")).status_code == 200  # control
