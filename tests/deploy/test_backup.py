"""A backup restores into an empty database, and the audit chain still verifies there."""

import os
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest
from django.db import connection

from audit.roles import owner_settings
from audit.selectors import audit_chain_head
from audit.services import audit_record

ROOT = Path(__file__).resolve().parents[2]
pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.postgresql(reason="pg_dump and pg_restore"),
]


def url(name: str, *, as_owner: bool = False) -> str:
    """The test database's address as the application's role, or as the owner (who restores)."""
    database = owner_settings(connection.settings_dict) if as_owner else connection.settings_dict
    return f"postgresql://{database['USER']}@{database['HOST']}:{database['PORT']}/{name}"


@pytest.fixture
def empty_database():
    name = f"{connection.settings_dict['NAME']}_restored"
    with psycopg.connect(url("postgres", as_owner=True), autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.execute(f'CREATE DATABASE "{name}"')
    yield name
    with psycopg.connect(url("postgres", as_owner=True), autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_backup_then_restore_into_an_empty_database_keeps_a_verifiable_audit_chain(
    owner, tmp_path, settings, empty_database
):
    for number in range(5):
        audit_record(actor=owner, action="test.backup", number=number)
    head = audit_chain_head().row_hash_hex
    stores = {name: tmp_path / "live" / name for name in ("derived", "hashlists", "evidence")}
    (stores["derived"] / "thumbnails").mkdir(parents=True)
    (stores["derived"] / "thumbnails" / "t.jpg").write_bytes(b"thumbnail")
    environment = {
        **os.environ,
        "DATABASE_URL": url(connection.settings_dict["NAME"]),
        **{f"{name.upper()}_ROOT": str(path) for name, path in stores.items()},
    }
    environment["HASHLIST_ROOT"] = environment.pop("HASHLISTS_ROOT")
    backup = subprocess.run(
        [str(ROOT / "deploy" / "backup.sh"), str(tmp_path / "backups")],
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    ).stdout.strip()
    restored = {name: tmp_path / "restored" / name for name in stores}
    # Restored as the owner, who then grants the application's role its rights (restore.sh).
    environment.update(
        DATABASE_URL=url(empty_database),
        DATABASE_OWNER_URL=url(empty_database, as_owner=True),
        DERIVED_ROOT=str(restored["derived"]),
        HASHLIST_ROOT=str(restored["hashlists"]),
        EVIDENCE_ROOT=str(restored["evidence"]),
    )
    subprocess.run(
        [str(ROOT / "deploy" / "restore.sh"), backup],
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    assert (restored["derived"] / "thumbnails" / "t.jpg").read_bytes() == b"thumbnail"
    verify = subprocess.run(
        [sys.executable, "manage.py", "audit_verify", "--expect-head", head],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert verify.returncode == 0 and "verifies" in verify.stdout, verify.stderr
    with psycopg.connect(url(empty_database)) as restored_db:  # control: the restored copy holds the events
        assert restored_db.execute("SELECT count(*) FROM audit_auditevent WHERE action = 'test.backup'").fetchone() == (
            5,
        )
