"""Bad input on the command line gets one clear line and a non-zero exit, never a traceback (issue 19, item 11)."""

import io
import logging
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from evidence.models import IngestJob
from hashing.models import HashListVersion
from tests.hashing.listdata import nsrl_database

ROOT = Path(__file__).resolve().parents[1]
DIGESTS = {"md5": "a" * 32, "sha1": "b" * 40, "sha256": "c" * 64}


def run(*args) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_a_fifo_given_to_ingest_is_refused_in_one_line_with_a_non_zero_exit(tmp_path):
    os.mkfifo(tmp_path / "pipe")
    done = subprocess.run(
        [
            sys.executable,
            "manage.py",
            "ingest",
            str(tmp_path / "pipe"),
            "--dossier",
            "BR.52.L1.000777/26",
            "--exhibit",
            "USB-1",
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
    )
    assert done.returncode != 0
    assert "Traceback" not in done.stderr
    said = "neither a regular file nor a folder (a FIFO, device or socket): not ingested."
    assert done.stderr.strip().splitlines() == [f"CommandError: {tmp_path / 'pipe'}: {said}"]


def test_a_fifo_is_refused_before_any_job_and_a_regular_file_beside_it_is_queued(db, tmp_path):
    os.mkfifo(tmp_path / "pipe")
    with pytest.raises(CommandError, match="neither a regular file nor a folder"):
        run("ingest", str(tmp_path / "pipe"), "--dossier", "BR.52.L1.000777/26", "--exhibit", "USB-1")
    assert not IngestJob.objects.exists()
    (tmp_path / "note.txt").write_bytes(b"a regular file")  # control
    assert "queued" in run(
        "ingest", str(tmp_path / "note.txt"), "--dossier", "BR.52.L1.000777/26", "--exhibit", "USB-1"
    )
    assert IngestJob.objects.count() == 1


def test_a_sqlite_file_that_is_not_nsrl_fails_its_import_in_one_line(db, tmp_path, caplog):
    with sqlite3.connect(tmp_path / "other.sqlite") as connection:
        connection.execute("CREATE TABLE contacts (name TEXT)")
    with caplog.at_level(logging.ERROR), pytest.raises(CommandError) as refused:
        run("import_hashlist", str(tmp_path / "other.sqlite"), "--name", "Known good", "--kind", "ignorable")
    assert str(refused.value) == "not an NSRL RDS v3 database: no such table: FILE"
    assert not [record for record in caplog.records if record.exc_info]  # no traceback logged either
    assert HashListVersion.objects.get().status == HashListVersion.Status.FAILED


def test_a_real_nsrl_database_imports(db, tmp_path):
    """Control: the same command with an NSRL-shaped database built here."""
    output = run(
        "import_hashlist",
        str(nsrl_database(tmp_path / "RDS.db", [DIGESTS])),
        "--name",
        "Known good",
        "--kind",
        "ignorable",
    )
    assert "ready; " in output and "3 entries" in output
    assert HashListVersion.objects.get().status == HashListVersion.Status.READY
