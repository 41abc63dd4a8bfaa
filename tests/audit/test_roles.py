"""The application's database role owns nothing: it may read and append to the audit log, nothing more.

These run where `make test` runs them: PostgreSQL with DATABASE_OWNER_URL set (the owner migrates,
the tests run as the runtime role, as in production).
"""

import io

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import ProgrammingError, connection, transaction
from django.utils import timezone

from audit.models import AuditEvent
from audit.roles import runtime_role, runtime_role_problems
from audit.services import audit_record
from cases.models import Dossier
from evidence.custody.services import custody_event_record

pytestmark = [
    pytest.mark.postgresql(reason="database roles"),
    pytest.mark.skipif(
        not settings.DATABASE_OWNER_URL,
        reason="needs a separate owner role (DATABASE_OWNER_URL), as `make test` sets",
    ),
]

ATTEMPTS = {
    "switch the triggers off": "ALTER TABLE audit_auditevent DISABLE TRIGGER ALL",
    "edit an event": "UPDATE audit_auditevent SET actor_name = 'someone else'",
    "delete an event": "DELETE FROM audit_auditevent",
    "empty the log": "TRUNCATE audit_auditevent",
    "drop the log": "DROP TABLE audit_auditevent",
}


def refused(sql: str) -> str:
    """Run ``sql`` as the application's role; return PostgreSQL's refusal (the test fails if it ran)."""
    with pytest.raises(ProgrammingError) as refusal, transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql)
    return str(refusal.value)


@pytest.mark.parametrize("attempt", ATTEMPTS)
def test_the_application_role_cannot_rewrite_the_audit_log(attempt, owner):
    event = audit_record(actor=owner, action="test.kept")
    message = refused(ATTEMPTS[attempt])
    assert "permission denied" in message or "must be owner" in message
    # Control: the role appends and reads, and the event it appended is still there as written.
    audit_record(actor=owner, action="test.appended")
    with connection.cursor() as cursor:
        cursor.execute("SELECT actor_name, action FROM audit_auditevent ORDER BY id")
        assert cursor.fetchall() == [("owner", "test.kept"), ("owner", "test.appended")]
    assert AuditEvent.objects.get(pk=event.pk).action == "test.kept"


@pytest.mark.parametrize(
    "statement", ["TRUNCATE evidence_custodyevent", "ALTER TABLE evidence_custodyevent DISABLE TRIGGER ALL"]
)
def test_the_application_role_cannot_empty_or_unguard_the_custody_ledger(statement, owner, exhibit):
    message = refused(statement)
    assert "permission denied" in message or "must be owner" in message
    # Control: the role appends to the ledger and reads it back.
    custody_event_record(exhibit=exhibit, kind="sealed", at=timezone.now(), seal_after="SC-1", to_person="A", by=owner)
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM evidence_custodyevent WHERE exhibit_id = %s", [exhibit.pk])
        assert cursor.fetchone()[0] >= 1


def test_the_application_role_still_writes_the_other_tables(owner, dossier, evidence_file):
    """Control: ordinary writes, the counts that triggers keep, advisory locks and TEMP tables (list
    imports) all work as this role."""
    with connection.cursor() as cursor:
        cursor.execute("UPDATE cases_dossier SET title = 'Renamed' WHERE id = %s", [dossier.pk])
        cursor.execute("UPDATE evidence_evidencefile SET triage = 'known' WHERE id = %s", [evidence_file.pk])
        cursor.execute(
            "SELECT triage, sum(files) FROM evidence_triagecount WHERE exhibit_id = %s GROUP BY triage"
            " HAVING sum(files) <> 0",
            [evidence_file.exhibit_id],
        )
        assert cursor.fetchall() == [("known", 1)]
        cursor.execute("SELECT pg_try_advisory_xact_lock(1)")
        assert cursor.fetchone() == (True,)
        cursor.execute("CREATE TEMP TABLE scratch (value bytea)")
        cursor.execute("INSERT INTO scratch VALUES ('\\x00')")
    assert Dossier.objects.get(pk=dossier.pk).title == "Renamed"


def test_the_application_role_owns_nothing_and_the_owner_is_told_apart(db):
    with connection.cursor() as cursor:
        assert runtime_role_problems(cursor, runtime=runtime_role()) == []
        # Control: the check does see a role that owns the tables.
        cursor.execute("SELECT tableowner FROM pg_tables WHERE tablename = 'audit_auditevent'")
        (table_owner,) = cursor.fetchone()
        assert table_owner != runtime_role()
        problems = runtime_role_problems(cursor, runtime=table_owner)
    assert any("owns" in problem for problem in problems)


def test_granting_again_keeps_the_runtime_role_to_its_rights(transactional_db, owner):
    out = io.StringIO()
    call_command("db_grant_runtime", stdout=out)
    assert f"Granted the runtime role {runtime_role()}" in out.getvalue()
    assert "permission denied" in refused(ATTEMPTS["edit an event"])
    assert audit_record(actor=owner, action="test.after_grant").pk  # control
