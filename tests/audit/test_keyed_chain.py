"""The chain is keyed with a secret that is not in the database, and its head is written outside it:
whoever holds every right on the database but not the key cannot rewrite or cut the log unseen."""

import importlib
import logging

import pytest
from django.apps import apps
from django.conf import settings

from audit.chain import GENESIS, chain_hash, unkeyed_chain_hash
from audit.checks import audit_chain_check
from audit.models import AuditEvent
from audit.roles import connected_as_owner
from audit.services import audit_record
from tests.audit.test_chain import verify

pytestmark = pytest.mark.postgresql(reason="rewrites the PostgreSQL audit table")
KEY = settings.AUDIT_CHAIN_KEY.encode()
ATTACKERS = {
    "plain SHA-256": unkeyed_chain_hash,
    "a wrong key": lambda previous, fields: chain_hash(previous, fields, key=b"guessed-" + KEY),
    # Control: the real key's holder could; which is why the key stays out of the database.
    "the real key": lambda previous, fields: chain_hash(previous, fields, key=KEY),
}


@pytest.fixture
def events(owner):
    return [audit_record(actor=owner, action=f"test.{n}", detail_number=n) for n in range(5)]


def rewrite(audit_tamper, *, edited: int, new_name: str, hasher) -> None:
    """Change one event's actor, then recompute every hash from it on, and write the chain back."""
    previous = GENESIS
    for event in AuditEvent.objects.order_by("id"):
        fields = event.chain_fields()
        if event.pk == edited:
            fields["actor_name"] = new_name
        if event.pk >= edited:
            row_hash = hasher(previous, fields)
            audit_tamper(
                "UPDATE audit_auditevent SET actor_name = %s, previous_hash = %s, row_hash = %s WHERE id = %s",
                [fields["actor_name"], previous, row_hash, event.pk],
            )
        else:
            row_hash = bytes(event.row_hash)
        previous = row_hash


@pytest.mark.parametrize("attacker", ATTACKERS)
def test_a_chain_rewritten_and_recomputed_without_the_key_is_found(events, audit_tamper, attacker):
    assert "verifies" in verify()  # control: untouched
    rewrite(audit_tamper, edited=events[2].pk, new_name="someone else", hasher=ATTACKERS[attacker])
    assert AuditEvent.objects.get(pk=events[2].pk).actor_name == "someone else"  # the rewrite happened
    report = verify()
    if attacker == "the real key":
        assert "verifies" in report
    else:
        assert report.startswith("FAILED") and f"event {events[2].pk}: its content does not match" in report


def test_the_periodic_check_writes_the_head_to_the_log(events, caplog):
    with caplog.at_level(logging.INFO, logger="scelle.audit"):
        check = audit_chain_check()
    lines = [record.getMessage() for record in caplog.records if record.name == "scelle.audit"]
    assert lines == [f"audit chain head event={check.pk} hash={check.row_hash_hex} verified=yes"]
    assert check.pk == AuditEvent.objects.order_by("-id").first().pk  # the newest event


def test_a_tail_cut_by_the_owner_is_found_against_the_logged_heads(events, audit_tamper, caplog, tmp_path):
    with caplog.at_level(logging.INFO, logger="scelle.audit"):
        check = audit_chain_check()
    log = tmp_path / "journal.txt"  # as journalctl prints it: time, host and unit around the line
    log.write_text(
        "".join(f"Dec 06 20:00:00 web scelle-worker[42]: INFO scelle.audit {r.message}\n" for r in caplog.records)
    )
    assert "verifies" in verify("--heads-from", str(log))  # control
    audit_tamper("DELETE FROM audit_auditevent WHERE id >= %s", [events[3].pk])
    assert "verifies" in verify()  # the chain alone cannot see a cut tail...
    report = verify("--heads-from", str(log))  # ...the logged head can
    assert report.startswith("FAILED") and f"event {check.pk}: logged as a chain head" in report


def test_a_log_without_heads_is_refused_not_taken_as_a_pass(events, tmp_path):
    log = tmp_path / "empty.txt"
    log.write_text("nothing here\n")
    assert "holds no logged chain head" in verify("--heads-from", str(log))
    assert "cannot read" in verify("--heads-from", str(tmp_path / "missing.txt")).lower()


def chained_as_before_the_key(audit_tamper) -> str:
    """The log as it was before the upgrade: chained with plain SHA-256. Returns its head (hex)."""
    previous = GENESIS
    for event in AuditEvent.objects.order_by("id"):
        row_hash = unkeyed_chain_hash(previous, event.chain_fields())
        audit_tamper(
            "UPDATE audit_auditevent SET previous_hash = %s, row_hash = %s WHERE id = %s",
            [previous, row_hash, event.pk],
        )
        previous = row_hash
    return previous.hex()


def test_rekeying_keeps_the_old_plain_head_and_says_whether_the_old_chain_held(events, audit_tamper, caplog):
    """Migration audit 0004: rows chained with plain SHA-256 before the key existed are chained again."""
    plain_head = chained_as_before_the_key(audit_tamper)
    assert "FAILED" in verify()  # a plain chain does not verify under the key
    migration = importlib.import_module("audit.migrations.0004_keyed_chain")
    with caplog.at_level(logging.INFO, logger="scelle.audit"), connected_as_owner() as owner:
        with owner.schema_editor() as editor:
            migration.rechain(apps, editor)
    assert "verifies" in verify()
    marker = AuditEvent.objects.order_by("-id").first()
    assert marker.action == "audit.chain_rekeyed"
    assert marker.detail["old_head"] == plain_head and marker.detail["old_head_event"] == events[-1].pk
    assert marker.detail["old_chain_verified"] is True
    assert plain_head in caplog.text and f"event={marker.pk} hash={marker.row_hash_hex}" in caplog.text


def test_rekeying_records_an_old_chain_that_did_not_hold(events, audit_tamper):
    """Re-chaining must not launder a rewrite made before it: the broken old chain is recorded."""
    chained_as_before_the_key(audit_tamper)
    audit_tamper("UPDATE audit_auditevent SET actor_name = 'someone else' WHERE id = %s", [events[1].pk])
    migration = importlib.import_module("audit.migrations.0004_keyed_chain")
    with connected_as_owner() as owner, owner.schema_editor() as editor:
        migration.rechain(apps, editor)
    marker = AuditEvent.objects.order_by("-id").first()
    assert marker.detail["old_chain_verified"] is False
    assert any(f"event {events[1].pk}" in problem for problem in marker.detail["first_old_chain_problems"])
    assert AuditEvent.objects.get(pk=events[1].pk).actor_name == "someone else"  # kept as found
    assert "verifies" in verify()  # the new chain holds from here on
