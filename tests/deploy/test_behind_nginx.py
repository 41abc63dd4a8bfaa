"""Through a real nginx (the shipped site's proxy settings) in front of a real gunicorn: each client is
known by its own address, in the audit log and in the lockout.

Clients connect from distinct loopback addresses (127.0.0.5, 127.0.0.9...), so nginx sees different
clients; gunicorn sees every request through nginx coming from 127.0.0.1, its one trusted proxy.
"""

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests
from django.conf import settings
from django.db import connection
from requests.adapters import HTTPAdapter

from audit.models import AuditEvent
from tests.factories import PASSWORD, make_user, totp_device

NGINX = shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin:/sbin")
pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(NGINX is None, reason="nginx is not installed (bin/system-packages installs it)"),
    pytest.mark.postgresql(reason="gunicorn serves the test database"),
]
ROOT = Path(__file__).resolve().parents[2]
STRANGER, USER, FORGED = "127.0.0.9", "127.0.0.5", "198.51.100.7"


@dataclass
class Site:
    nginx: str  # http://127.0.0.1:<port>, as a browser reaches the site
    gunicorn: str  # the application server itself, behind nginx


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for_port(port: int, process: subprocess.Popen, log: Path, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"exited with {process.returncode}:\n{log.read_text()[-3000:]}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.2)
    raise AssertionError(f"nothing listens on {port} after {timeout} s:\n{log.read_text()[-3000:]}")


def stop(process: subprocess.Popen, signal_number=signal.SIGTERM) -> None:
    if process.poll() is None:
        process.send_signal(signal_number)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=30)


def nginx_config(folder: Path, *, listen: int, upstream: int) -> Path:
    """The shipped site's upstream and `location /` (proxy headers included), on plain HTTP ports."""
    site = (ROOT / "deploy" / "nginx" / "scelle.conf").read_text()
    upstream_block = re.search(r"^upstream scelle_web \{.*?^\}", site, re.M | re.S).group(0)
    location = re.search(r"^    location / \{.*?^    \}", site, re.M | re.S).group(0)
    assert "server 127.0.0.1:8000;" in upstream_block
    upstream_block = upstream_block.replace("server 127.0.0.1:8000;", f"server 127.0.0.1:{upstream};")
    temporary = "\n".join(
        f"    {kind}_temp_path {folder / kind};" for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    # As root, nginx's workers would run as `nobody`, which cannot enter pytest's temporary folders.
    user = "user root;\n" if os.geteuid() == 0 else ""
    config = folder / "nginx.conf"
    config.write_text(
        f"{user}daemon off;\nworker_processes 1;\npid {folder / 'nginx.pid'};\nerror_log {folder / 'error.log'};\n"
        f"events {{ worker_connections 64; }}\n"
        f"http {{\n    access_log off;\n{temporary}\n{upstream_block}\n"
        f"    server {{\n        listen 127.0.0.1:{listen};\n        server_tokens off;\n{location}\n    }}\n}}\n"
    )
    return config


@pytest.fixture(scope="module")
def site(django_db_setup, django_db_blocker, tmp_path_factory):
    """gunicorn (deploy/gunicorn.conf.py, serving config.wsgi on the test database, TRUSTED_PROXIES as
    shipped) and nginx in front of it, each on a free port; both stopped at the end."""
    folder = tmp_path_factory.mktemp("site")
    with django_db_blocker.unblock():
        database = connection.settings_dict
    gunicorn_port, nginx_port = free_port(), free_port()
    environment = {
        **os.environ,
        "DATABASE_URL": f"postgresql://{database['USER']}@{database['HOST']}:{database['PORT']}/{database['NAME']}",
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
        "SCELLE_VAR_DIR": str(folder / "var"),
        "TRUSTED_PROXIES": "127.0.0.1",  # as deploy/scelle.env.example
        "GUNICORN_BIND": f"127.0.0.1:{gunicorn_port}",
        "GUNICORN_WORKERS": "1",
        "GUNICORN_THREADS": "4",
    }
    environment.pop("DJANGO_SETTINGS_MODULE", None)  # config.wsgi names the settings
    gunicorn_log, nginx_log = folder / "gunicorn.log", folder / "nginx.log"
    command = [sys.executable, "-m", "gunicorn", "config.wsgi", "--config", str(ROOT / "deploy" / "gunicorn.conf.py")]
    with gunicorn_log.open("w") as log:
        gunicorn = subprocess.Popen(command, cwd=ROOT, env=environment, stdout=log, stderr=subprocess.STDOUT)
    nginx = None
    try:
        wait_for_port(gunicorn_port, gunicorn, gunicorn_log)
        config = nginx_config(folder, listen=nginx_port, upstream=gunicorn_port)
        with nginx_log.open("w") as log:
            nginx = subprocess.Popen(
                [NGINX, "-c", str(config), "-p", str(folder), "-e", str(folder / "error.log")],
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        wait_for_port(nginx_port, nginx, nginx_log)
        yield Site(nginx=f"http://127.0.0.1:{nginx_port}", gunicorn=f"http://127.0.0.1:{gunicorn_port}")
    finally:
        if nginx is not None:
            stop(nginx, signal.SIGQUIT)  # graceful: let the workers finish, then exit
        stop(gunicorn)


class FromAddress(HTTPAdapter):
    """Connections leave from ``address`` (any 127.0.0.0/8 address works on loopback)."""

    def __init__(self, address: str):
        self.address = address
        super().__init__()

    def init_poolmanager(self, *args, **kwargs):
        kwargs["source_address"] = (self.address, 0)
        super().init_poolmanager(*args, **kwargs)


class Browser:
    """A browser at ``address`` reaching ``base``: cookies kept, each form posted with its CSRF token."""

    def __init__(self, base: str, address: str, headers: dict | None = None):
        self.base = base
        self.session = requests.Session()
        self.session.mount("http://", FromAddress(address))
        self.session.headers.update(headers or {})

    def log_in(self, username: str, password: str) -> requests.Response:
        page = self.session.get(f"{self.base}/login/", timeout=30)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
        return self.session.post(
            f"{self.base}/login/",
            data={"username": username, "password": password, "csrfmiddlewaretoken": token},
            # nginx says X-Forwarded-Proto https (TLS ends there): Django then checks the Referer.
            headers={"Referer": "https://127.0.0.1/login/"},
            allow_redirects=False,
            timeout=30,
        )

    def reaches_the_second_factor(self) -> bool:
        """After the password: the next page asks for the second factor."""
        page = self.session.get(f"{self.base}/", timeout=30)
        return page.status_code == 200 and page.url.split("?")[0].endswith("/login/verify/")


@pytest.fixture
def owner_with_authenticator(db):
    owner = make_user("owner", "investigator")
    totp_device(owner)
    return owner


def failure_addresses(username: str) -> set[str]:
    events = AuditEvent.objects.filter(action="login.failure", detail__username=username)
    return set(events.values_list("ip", flat=True))


def test_a_stranger_failing_under_made_up_names_locks_nobody_out(site, owner_with_authenticator):
    stranger = Browser(site.nginx, STRANGER)
    answers = [stranger.log_in(f"made-up-{number}", "wrong").status_code for number in range(7)]
    assert answers == [200] * 7  # the same login page each time, no lockout
    user = Browser(site.nginx, USER)
    assert user.log_in("owner", PASSWORD).status_code == 302  # the password step succeeds...
    assert user.reaches_the_second_factor()  # ...and leads to the second factor
    # Every failure is recorded at the stranger's address, the login at the user's: not nginx's 127.0.0.1.
    assert set().union(*(failure_addresses(f"made-up-{number}") for number in range(7))) == {STRANGER}
    assert AuditEvent.objects.get(action="login.success").ip == USER


def test_guessing_one_users_password_locks_that_name_from_the_guessers_address(site, owner_with_authenticator):
    guesser = Browser(site.nginx, STRANGER)
    assert [guesser.log_in("owner", "wrong").status_code for _ in range(4)] == [200] * 4
    assert guesser.log_in("owner", PASSWORD).status_code == 302  # control: before the limit, the right one works
    guesser = Browser(site.nginx, STRANGER)  # a new browser, the count started again by the success
    assert [guesser.log_in("owner", "wrong").status_code for _ in range(5)] == [200] * 4 + [429]
    assert guesser.log_in("owner", PASSWORD).status_code == 429  # locked: even the right password
    assert "Too many failed attempts" in guesser.log_in("owner", PASSWORD).text
    assert failure_addresses("owner") == {STRANGER}
    # The same name from another address is not locked: the user at their desk logs in.
    user = Browser(site.nginx, USER)
    assert user.log_in("owner", PASSWORD).status_code == 302 and user.reaches_the_second_factor()


def test_a_forged_forwarded_address_is_ignored_unless_a_trusted_proxy_wrote_it(site, owner_with_authenticator):
    forged = {"X-Forwarded-For": FORGED, "X-Real-IP": FORGED}
    # Straight to gunicorn from an untrusted address: the headers are ignored.
    Browser(site.gunicorn, STRANGER, forged).log_in("direct", "wrong")
    assert failure_addresses("direct") == {STRANGER}
    # Through nginx: the client's own header is kept to the left of the address nginx appends; only
    # nginx's part is believed, so the event records the stranger, not the forged value nor 127.0.0.1.
    Browser(site.nginx, STRANGER, forged).log_in("through-nginx", "wrong")
    assert failure_addresses("through-nginx") == {STRANGER}
    # Control: the same header sent from a trusted proxy's address is believed.
    Browser(site.gunicorn, "127.0.0.1", forged).log_in("from-the-proxy", "wrong")
    assert failure_addresses("from-the-proxy") == {FORGED}
