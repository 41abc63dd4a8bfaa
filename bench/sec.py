"""Load: 50 concurrent users browsing a dossier of a million files through gunicorn on loopback.

Each simulated user logs in once (password, then the code of their own authenticator), then, for
BENCH_LOAD_SECONDS, opens in turn the dossier page, its files (a state filter, later pages by the
"next" link, a page deep in the list), an exhibit page, a file's page (logged in the audit log) and,
for prosecutors, the board. Every round also fetches a static file: the baseline, measured under the
same load in the same run. Rows are written with COPY (BENCH_LOAD_FILES, default 1,000,000).
"""

import os
import random
import re
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LOAD_FILES = int(os.environ.get("BENCH_LOAD_FILES", 1_000_000))
LOAD_USERS = int(os.environ.get("BENCH_LOAD_USERS", 50))
LOAD_SECONDS = float(os.environ.get("BENCH_LOAD_SECONDS", 60))
PROSECUTORS = max(1, LOAD_USERS // 5)
PASSWORD = "load test password 2026"
EXHIBITS = 4
# Roughly what a seized computer gives: mostly known-good, some new images, a little known material.
STATES = [("known_good", 70), ("new_image", 20), ("other", 4), ("known", 5), ("error", 1)]


def figure(value: float, unit: str, baseline: float, ratio: float) -> dict:
    return {"value": round(value, 3), "unit": unit, "baseline": round(baseline, 3), "ratio": round(ratio, 3)}


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else 0.0


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _make_dossier(files: int):
    """One dossier, EXHIBITS exhibits, ``files`` files written with COPY; the users and their devices."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password
    from django.contrib.auth.models import Group
    from django.db import connection
    from django.utils import timezone
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from accounts.roles import ensure_role_groups
    from cases.models import Dossier, Membership
    from evidence.models import EvidenceFile, Exhibit, IngestBatch, IngestJob

    ensure_role_groups()
    User = get_user_model()
    hashed = make_password(PASSWORD)  # hashed once: the server checks it at each login
    lead = User.objects.create(username="load-lead", password=hashed)
    dossier = Dossier.objects.create(
        notice_number="BR.52.L1.999999/26", title="Load test", opened_on=timezone.localdate(), created_by=lead
    )
    Membership.objects.create(dossier=dossier, user=lead, role=Membership.Role.LEAD)
    users = []
    for number in range(LOAD_USERS):
        prosecutor = number < PROSECUTORS
        user = User.objects.create(username=f"load-{number:02d}", password=hashed)
        user.groups.set([Group.objects.get(name="prosecutor" if prosecutor else "investigator")])
        role = Membership.Role.PROSECUTOR if prosecutor else Membership.Role.INVESTIGATOR
        Membership.objects.create(dossier=dossier, user=user, role=role)
        device = TOTPDevice.objects.create(user=user, name="load", confirmed=True)
        users.append((user.username, device, prosecutor))

    started = time.perf_counter()
    table = EvidenceFile._meta.db_table
    fields = [f for f in EvidenceFile._meta.concrete_fields if not f.primary_key]
    template = EvidenceFile()
    rng = random.Random(11)
    states = [state for state, weight in STATES for _ in range(weight)]
    exhibits = []
    for number in range(EXHIBITS):
        exhibit = Exhibit.objects.create(
            dossier=dossier, kind=Exhibit.Kind.COMPUTER, seal_number=f"LOAD-{number}", created_by=lead
        )
        job = IngestJob.objects.create(exhibit=exhibit, source_label="load", created_by=lead, status="done")
        batch = IngestBatch.objects.create(job=job, number=1, status="done")
        exhibits.append(exhibit)
        share = files // EXHIBITS + (1 if number < files % EXHIBITS else 0)
        fixed = {f.attname: f.get_db_prep_save(getattr(template, f.attname), connection) for f in fields}
        fixed.update(exhibit_id=exhibit.pk, job_id=job.pk, batch_id=batch.pk, processed_at=timezone.now())
        varying = ("path", "size", "md5", "sha1", "sha256", "triage")
        columns = [f.column for f in fields]
        with connection.cursor() as cursor:
            for start in range(0, share, 100_000):
                with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                    for index in range(start, min(share, start + 100_000)):
                        row = dict(fixed)
                        row.update(
                            zip(
                                varying,
                                (
                                    f"LOAD-{number}/Users/suspect/Pictures/{index // 1000:04d}/IMG_{index:07d}.jpg",
                                    rng.randint(1_000, 5_000_000),
                                    rng.randbytes(16),
                                    rng.randbytes(20),
                                    rng.randbytes(32),
                                    rng.choice(states),
                                ),
                                strict=True,
                            )
                        )
                        copy.write_row([row[f.attname] for f in fields])
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {table}")
    print(f"  {files} files written with COPY in {time.perf_counter() - started:.0f} s", flush=True)
    return dossier, exhibits, users


def _gunicorn(port: int) -> subprocess.Popen:
    environment = {**os.environ, "GUNICORN_BIND": f"127.0.0.1:{port}", "GUNICORN_WORKERS": "3"}
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "config.wsgi",
            "-c",
            "deploy/gunicorn.conf.py",
            "--access-logfile",
            "/dev/null",
        ],
        cwd=ROOT,
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def _login(base: str, username: str, device):
    import requests
    from django_otp.oath import TOTP

    session = requests.Session()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', session.get(f"{base}/login/").text).group(1)
    session.post(f"{base}/login/", data={"username": username, "password": PASSWORD, "csrfmiddlewaretoken": token})
    page = session.get(f"{base}/login/verify/").text
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    code = f"{TOTP(device.bin_key, device.step, device.t0, device.digits).token():06d}"
    answer = session.post(f"{base}/login/verify/", data={"token": code, "csrfmiddlewaretoken": token, "next": "/"})
    assert answer.url.rstrip("/") == base, f"{username} could not log in: {answer.url}"
    return session


class Recorder:
    def __init__(self):
        self.times: dict[str, list[float]] = {}
        self.errors: dict[str, int] = {}
        self.lock = threading.Lock()

    def get(self, session, name: str, url: str) -> str:
        started = time.perf_counter()
        try:
            response = session.get(url, timeout=120, allow_redirects=False)
            ok = response.status_code == 200
            text = response.text if ok else ""
        except Exception:  # noqa: BLE001 - a refused or timed-out request is an error to count
            ok, text = False, ""
        elapsed = time.perf_counter() - started
        with self.lock:
            self.times.setdefault(name, []).append(elapsed)
            if not ok:
                self.errors[name] = self.errors.get(name, 0) + 1
        return text


def _browse(base, session, prosecutor, dossier, exhibits, file_ids, recorder, deadline, seed):
    rng = random.Random(seed)
    while time.monotonic() < deadline:
        recorder.get(session, "static", f"{base}/static/css/scelle.css")
        recorder.get(session, "dossier", f"{base}/dossiers/{dossier.pk}/")
        if prosecutor:
            recorder.get(session, "board", f"{base}/board/")
            recorder.get(session, "files_totals", f"{base}/dossiers/{dossier.pk}/files/")
            continue
        page = recorder.get(session, "files", f"{base}/dossiers/{dossier.pk}/files/?triage=new_image")
        for _ in range(2):  # later pages by the "next" link
            found = re.search(r'href="\?triage=new_image&amp;after=(\d+)" rel="next"', page)
            if not found:
                break
            page = recorder.get(
                session, "files", f"{base}/dossiers/{dossier.pk}/files/?triage=new_image&after={found[1]}"
            )
        deep = rng.choice(file_ids)
        recorder.get(session, "files_deep", f"{base}/dossiers/{dossier.pk}/files/?after={deep}")
        exhibit = rng.choice(exhibits)
        recorder.get(session, "exhibit", f"{base}/exhibits/{exhibit.pk}/?triage=known")
        recorder.get(session, "file", f"{base}/files/{rng.choice(file_ids)}/")


def bench_load(work: Path) -> dict:
    from django.db import connection

    from evidence.models import EvidenceFile

    started = time.perf_counter()
    dossier, exhibits, users = _make_dossier(LOAD_FILES)
    print(f"  {LOAD_FILES} files written in {time.perf_counter() - started:.0f} s", flush=True)
    ids = EvidenceFile.objects.filter(exhibit__dossier=dossier).values_list("pk", flat=True)
    low, high = ids.order_by("pk").first(), ids.order_by("-pk").first()
    file_ids = [random.Random(n).randint(low, high) for n in range(2000)]
    connection.close()  # the server processes have theirs
    port = _free_port()
    server = _gunicorn(port)
    base = f"http://127.0.0.1:{port}"
    recorder = Recorder()
    try:
        import requests

        for _ in range(600):
            try:
                requests.get(f"{base}/login/", timeout=30)
                break
            except requests.RequestException:
                if server.poll() is not None:
                    raise RuntimeError("gunicorn stopped") from None
                time.sleep(0.1)
        sessions = [None] * len(users)

        def login(index):
            username, device, _ = users[index]
            sessions[index] = _login(base, username, device)

        threads = [threading.Thread(target=login, args=(i,)) for i in range(len(users))]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        if None in sessions or server.poll() is not None:
            raise RuntimeError("the server did not start, or a simulated user could not log in")
        deadline = time.monotonic() + LOAD_SECONDS
        threads = [
            threading.Thread(
                target=_browse,
                args=(base, sessions[i], users[i][2], dossier, exhibits, file_ids, recorder, deadline, i),
            )
            for i in range(len(users))
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        server.terminate()
        server.wait(timeout=60)

    pages = [t for name, times in recorder.times.items() if name != "static" for t in times]
    static = recorder.times.get("static", [])
    requests_count = sum(len(times) for times in recorder.times.values())
    errors = sum(recorder.errors.values())
    base50, base95 = percentile(static, 0.5) * 1000, percentile(static, 0.95) * 1000
    result = {}
    p50, p95 = percentile(pages, 0.5) * 1000, percentile(pages, 0.95) * 1000
    result["load_pages_p50_ms"] = figure(p50, "ms", base50, base50 / p50 if p50 else 0)
    result["load_pages_p95_ms"] = figure(p95, "ms", base95, base95 / p95 if p95 else 0)
    for name in ("dossier", "files", "files_deep", "exhibit", "file", "board"):
        value = percentile(recorder.times.get(name, []), 0.95) * 1000
        result[f"load_{name}_p95_ms"] = figure(value, "ms", base95, base95 / value if value else 0)
    result["load_errors"] = figure(errors, f"errors in {requests_count} requests", 0, errors / max(requests_count, 1))
    for name, times in sorted(recorder.times.items()):
        print(
            f"  {name}: {len(times)} requests, p50 {percentile(times, 0.5) * 1000:.0f} ms,"
            f" p95 {percentile(times, 0.95) * 1000:.0f} ms, errors {recorder.errors.get(name, 0)}",
            flush=True,
        )
    return result
