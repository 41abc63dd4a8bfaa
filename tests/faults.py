"""Servers and processes of a fault test's own: a Redis and a PostgreSQL it may stop and start, real
`celery worker` and `celery beat` processes, a small tmpfs. Never the shared services: other tests
run against those at the same time.

The fixtures (``own_redis``, ``own_postgresql``, ``small_disk``) are registered in tests/conftest.py.
"""

import errno
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
import redis
from django.conf import settings
from django.db import connection

from audit.roles import owner_settings
from tests.factories import wait_until

ROOT = Path(__file__).resolve().parents[1]
WORKER_APPLICATION = f"scelle-faulttest-{os.getpid()}"
POSTGRESQL_BIN = Path(os.environ.get("POSTGRESQL_BIN", "/usr/lib/postgresql/15/bin"))


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class RedisServer:
    """A redis-server of the test's own, without persistence: a restart empties it."""

    def __init__(self, folder: Path):
        self.port = free_port()
        self.folder = folder
        self.process = None
        self.url = f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        command = ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", ""]
        command += ["--appendonly", "no", "--dir", str(self.folder)]
        self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        client = redis.Redis(port=self.port)
        wait_until(lambda: self._answers(client), timeout=20, interval=0.05)

    @staticmethod
    def _answers(client) -> bool:
        try:
            return client.ping()
        except redis.ConnectionError:
            return False

    def kill(self) -> None:
        self.process.kill()
        self.process.wait(timeout=10)


@pytest.fixture
def own_redis(tmp_path):
    if shutil.which("redis-server") is None:
        pytest.skip("redis-server is not installed")
    server = RedisServer(tmp_path)
    server.start()
    yield server
    server.kill()


class PostgresCluster:
    """A PostgreSQL cluster of the test's own (initdb in a temporary folder, a free port, its socket
    there too), run by the `postgres` OS user since initdb refuses root. fsync off: it is thrown away."""

    def __init__(self):
        self.folder = Path(tempfile.mkdtemp(prefix="scelle-pg-"))
        self.data = self.folder / "data"
        self.port = free_port()
        self.as_postgres = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []

    def _run(self, *command: str, **options) -> subprocess.CompletedProcess:
        done = subprocess.run([*self.as_postgres, *command], capture_output=True, text=True, timeout=120, **options)
        assert done.returncode == 0, done.stderr or done.stdout
        return done

    def create(self) -> None:
        if self.as_postgres:
            shutil.chown(self.folder, "postgres", "postgres")
        initdb = str(POSTGRESQL_BIN / "initdb")
        self._run(initdb, "-D", str(self.data), "-U", "postgres", "-A", "trust", "--no-sync", "-E", "UTF8")
        self.start()

    def _pg_ctl(self, action: str, *extra: str) -> None:
        options = f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c fsync=off"
        options += " -c full_page_writes=off -c synchronous_commit=off"
        log = str(self.folder / "server.log")
        self._run(str(POSTGRESQL_BIN / "pg_ctl"), action, "-D", str(self.data), "-o", options, "-l", log, "-w", *extra)

    def start(self) -> None:
        self._pg_ctl("start")

    def stop(self) -> None:
        """Fast shutdown: every session is ended, as when the service is restarted."""
        self._run(str(POSTGRESQL_BIN / "pg_ctl"), "stop", "-D", str(self.data), "-m", "fast", "-w")

    def restart(self, down_for: float = 0) -> None:
        self.stop()
        time.sleep(down_for)
        self.start()

    def psql(self, sql: str, database: str = "postgres") -> str:
        command = ["psql", "-X", "-q", "-At", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1", "-p", str(self.port)]
        return subprocess.run(
            [*command, "-U", "postgres", "-d", database],
            input=sql,
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
        ).stdout

    def copy_database(self, source: dict) -> str:
        """The database of Django connection settings ``source`` (schema, data, grants), copied here
        under the same name with the same roles; returns the name."""
        name = source["NAME"]
        dumper = owner_settings(source)  # the tables' owner, when one is configured
        self.psql("".join(f'CREATE ROLE "{role}" LOGIN;\n' for role in sorted({source["USER"], dumper["USER"]})))
        self.psql(f'CREATE DATABASE "{name}" OWNER "{dumper["USER"]}";')
        dump = [str(POSTGRESQL_BIN / "pg_dump"), "-h", source["HOST"], "-p", str(source["PORT"])]
        dump += ["-U", dumper["USER"], "--no-sync", name]
        load = ["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1", "-p", str(self.port)]
        load += ["-U", "postgres", "-d", name]
        environment = {**os.environ, "PGPASSWORD": dumper.get("PASSWORD") or ""}
        with subprocess.Popen(dump, stdout=subprocess.PIPE, env=environment) as dumping:
            loaded = subprocess.run(load, stdin=dumping.stdout, capture_output=True, timeout=120)
        assert dumping.returncode == 0 and loaded.returncode == 0, loaded.stderr
        return name

    def remove(self) -> None:
        subprocess.run(
            [*self.as_postgres, str(POSTGRESQL_BIN / "pg_ctl"), "stop", "-D", str(self.data), "-m", "immediate"],
            capture_output=True,
            timeout=60,
        )
        shutil.rmtree(self.folder, ignore_errors=True)


@pytest.fixture
def own_postgresql(transactional_db):
    """The test database copied (as it is now: what earlier fixtures committed too) into a PostgreSQL
    cluster of the test's own, which the test may stop and restart; the test's connection (and
    ``process_environment``'s workers) use it until the end of the test."""
    if not (POSTGRESQL_BIN / "initdb").exists() or shutil.which("psql") is None:
        pytest.skip(f"no PostgreSQL binaries in {POSTGRESQL_BIN} (set POSTGRESQL_BIN)")
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL")
    if os.geteuid() == 0 and shutil.which("runuser") is None:
        pytest.skip("runuser is needed to run initdb as the postgres user")
    cluster = PostgresCluster()
    try:
        cluster.create()
        cluster.copy_database(connection.settings_dict)
        shared = {key: connection.settings_dict[key] for key in ("HOST", "PORT")}
        connection.close()
        connection.settings_dict.update(HOST="127.0.0.1", PORT=str(cluster.port))
        try:
            yield cluster
        finally:
            connection.close()
            connection.settings_dict.update(shared)
    finally:
        cluster.remove()


@pytest.fixture
def small_disk():
    """``mount(size)``: a tmpfs of ``size`` (e.g. "2m") mounted on a new folder, unmounted after the
    test; skips with the reason where mounting is not permitted (not root, a container without the
    right)."""
    mounted = []

    def mount(size: str) -> Path:
        folder = Path(tempfile.mkdtemp(prefix="scelle-full-"))
        command = ["mount", "-t", "tmpfs", "-o", f"size={size},mode=0777", "tmpfs", str(folder)]
        done = subprocess.run(command, capture_output=True, text=True)
        if done.returncode != 0:
            folder.rmdir()
            pytest.skip(f"cannot mount a tmpfs ({done.stderr.strip() or 'not permitted'}): needs root")
        mounted.append(folder)
        return folder

    yield mount
    for folder in mounted:
        subprocess.run(["umount", "-l", str(folder)], capture_output=True)
        folder.rmdir()


def fill(disk: Path, leave: int = 0) -> Path:
    """Fill ``disk`` with a file (leaving about ``leave`` bytes free); delete the file to free the space."""
    filler = disk / "filler"
    descriptor = os.open(filler, os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        for block in (1 << 20, 1 << 12):
            try:
                while True:
                    os.write(descriptor, b"\0" * block)
            except OSError as error:
                assert error.errno == errno.ENOSPC
    finally:
        os.close(descriptor)
    if leave:
        os.truncate(filler, max(0, filler.stat().st_size - leave))
    return filler


def leftovers(disk: Path) -> list[str]:
    """Every file on ``disk`` but the filler: what a failed write would have left."""
    return sorted(str(path.relative_to(disk)) for path in disk.rglob("*") if path.is_file() and path.name != "filler")


def process_environment(tmp_path, broker: str, **extra: str) -> dict[str, str]:
    database = connection.settings_dict
    return {
        **os.environ,
        "DATABASE_URL": f"postgresql://{database['USER']}@{database['HOST']}:{database['PORT']}/{database['NAME']}"
        f"?application_name={WORKER_APPLICATION}",
        "CELERY_BROKER_URL": broker,
        "EVIDENCE_ROOT": str(settings.EVIDENCE_ROOT),
        "HASHLIST_ROOT": str(settings.HASHLIST_ROOT),
        "DERIVED_ROOT": str(tmp_path / "derived"),
        **switches(),
        **extra,
    }


def switches() -> dict[str, str]:
    """The test's own detectors and OCR (off unless it asks: tests/conftest.py), for a worker process,
    which reads its settings from the environment."""
    return {"DETECTORS": ",".join(settings.DETECTORS), "OCR_ENABLED": "true" if settings.OCR_ENABLED else "false"}


def worker_process(environment: dict[str, str], queues: str) -> subprocess.Popen:
    """A real `celery worker`, as on another host. FAULTS_WORKER_LOG=path keeps its log there."""
    command = [sys.executable, "-m", "celery", "-A", "config", "worker", "--concurrency", "1"]
    command += ["--loglevel", "WARNING", "--without-gossip", "--without-mingle", "--without-heartbeat"]
    command += ["-Q", queues, "-n", f"faults-{os.getpid()}@%h"]
    log = open(os.environ["FAULTS_WORKER_LOG"], "ab") if os.environ.get("FAULTS_WORKER_LOG") else subprocess.DEVNULL  # noqa: SIM115
    return subprocess.Popen(command, cwd=ROOT, env=environment, stdout=log, stderr=log)


def beat_process(environment: dict[str, str], folder: Path) -> subprocess.Popen:
    """A real `celery beat`, as scelle-beat.service runs it."""
    command = [sys.executable, "-m", "celery", "-A", "config", "beat", "--loglevel", "WARNING"]
    command += ["--schedule", str(folder / "beat-schedule"), "--pidfile", ""]
    return subprocess.Popen(command, cwd=ROOT, env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def manage(environment: dict[str, str], *arguments: str) -> str:
    done = subprocess.run(
        [sys.executable, "manage.py", *arguments],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def stop(worker: subprocess.Popen) -> None:
    worker.terminate()
    try:
        worker.wait(timeout=60)
    except subprocess.TimeoutExpired:
        worker.kill()
        worker.wait()


def assert_done_with_each_file_once(job, contents: dict[str, str]) -> None:
    """The job ended done, each file of ``contents`` (path -> SHA-256 hex) stored once and hashed
    right, and no batch ran twice: what a fault must not change."""
    from evidence.models import EvidenceFile, IngestBatch

    job.refresh_from_db()
    assert job.status == "done"
    files = list(EvidenceFile.objects.filter(job=job))
    assert {f.path: f.sha256_hex for f in files} == contents  # each file once, hashed right
    assert len(files) == job.files_total == len(contents)
    batches = IngestBatch.objects.filter(job=job)
    assert sum(batches.values_list("files_done", flat=True)) == len(contents)
    assert set(batches.values_list("attempts", flat=True)) == {1}  # no batch ran twice
