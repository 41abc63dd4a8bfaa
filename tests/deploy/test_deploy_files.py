"""The deployment files are valid where the tools to check them are installed, and complete."""

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"


def test_every_setting_read_from_the_environment_is_in_the_example_file():
    read = set()
    for source in (ROOT / "config" / "settings.py", DEPLOY / "gunicorn.conf.py"):
        read |= set(re.findall(r'env(?:_bool|_int|_list)?\(\s*"([A-Z_]+)"', source.read_text()))
        read |= set(re.findall(r'os\.environ\.get\(\s*"([A-Z_]+)"', source.read_text()))
    documented = set(re.findall(r"^#?\s*([A-Z_]+)=", (DEPLOY / "scelle.env.example").read_text(), re.M))
    assert read - documented - {"DEBUG", "LOG_LEVEL"} == set(), "document these in deploy/scelle.env.example"
    assert documented - read == set(), "the example sets variables nothing reads"


@pytest.mark.skipif(not shutil.which("systemd-analyze"), reason="systemd-analyze is not installed")
def test_the_systemd_units_verify(tmp_path):
    venv = ROOT / ".venv" / "bin"
    units = ["scelle-web.service", "scelle-beat.service", "scelle-migrate.service"]
    units += [f"scelle-worker@{queue}.service" for queue in settings.CELERY_QUEUES_ALL.split(",")]
    for name in units:
        text = (DEPLOY / "systemd" / re.sub(r"@\w+\.", "@.", name)).read_text()
        text = text.replace("/opt/scelle/.venv/bin", str(venv)).replace("/opt/scelle", str(ROOT))
        for environment_file in ("/etc/scelle/scelle.env", "/etc/scelle/owner.env"):
            text = text.replace(
                f"EnvironmentFile={environment_file}", f"EnvironmentFile={DEPLOY / 'scelle.env.example'}"
            )
        text = re.sub(r"^(User|Group)=scelle$", r"\1=root", text, flags=re.M)
        (tmp_path / name).write_text(text)
        result = subprocess.run(
            ["systemd-analyze", "verify", str(tmp_path / name)], capture_output=True, text=True, timeout=60
        )
        problems = [line for line in result.stderr.splitlines() if str(tmp_path) in line]
        assert problems == [], result.stderr


def test_every_queue_has_worker_options_that_celery_knows():
    """deploy/systemd/worker-<queue>.env exists for each queue, and each option is one of `celery worker`'s."""
    help_text = subprocess.run(
        [str(ROOT / ".venv" / "bin" / "celery"), "-A", "config", "worker", "--help"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    ).stdout
    for queue in settings.CELERY_QUEUES_ALL.split(","):
        options = re.search(r"^WORKER_OPTIONS=(.*)$", (DEPLOY / "systemd" / f"worker-{queue}.env").read_text(), re.M)
        flags = re.findall(r"(--[a-z-]+)", options.group(1))
        assert "--prefetch-multiplier" in flags, queue  # chosen per queue, never left to the default
        assert [flag for flag in flags if flag not in help_text] == [], queue


@pytest.mark.skipif(not shutil.which("nginx"), reason="nginx is not installed")
def test_the_nginx_site_passes_nginx_t(tmp_path):
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-subj",
            "/CN=scelle.test",
            "-keyout",
            str(tmp_path / "key.pem"),
            "-out",
            str(tmp_path / "cert.pem"),
            "-days",
            "1",
        ],
        check=True,
        capture_output=True,
        timeout=60,
    )
    site = (DEPLOY / "nginx" / "scelle.conf").read_text()
    site = site.replace("/etc/ssl/scelle/fullchain.pem", str(tmp_path / "cert.pem"))
    site = site.replace("/etc/ssl/scelle/privkey.pem", str(tmp_path / "key.pem"))
    site = site.replace("listen 80;", "listen 127.0.0.1:18080;").replace(
        "listen 443 ssl;", "listen 127.0.0.1:18443 ssl;"
    )
    (tmp_path / "site.conf").write_text(site)
    (tmp_path / "nginx.conf").write_text(
        f"pid {tmp_path}/nginx.pid;\nerror_log {tmp_path}/error.log;\nevents {{}}\n"
        f"http {{\n access_log off;\n include {tmp_path}/site.conf;\n}}\n"
    )
    result = subprocess.run(
        ["nginx", "-t", "-c", str(tmp_path / "nginx.conf"), "-p", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ},
    )
    assert result.returncode == 0, result.stderr
