import io

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from audit.chain import GENESIS
from audit.models import AuditEvent
from audit.services import audit_record


def verify(*args) -> str:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("audit_verify", *args, stdout=out, stderr=err)
    except CommandError as error:
        return f"FAILED {error}\n{err.getvalue()}"
    return out.getvalue()


@pytest.fixture
def events(owner):
    return [audit_record(actor=owner, action=f"test.{n}", detail_number=n) for n in range(5)]


def test_each_event_links_to_the_one_before(events):
    assert bytes(events[0].previous_hash) == GENESIS
    for before, after in zip(events, events[1:], strict=False):
        assert bytes(after.previous_hash) == bytes(before.row_hash)


def test_an_intact_chain_verifies_and_names_its_head(events):
    assert verify() == f"The audit chain verifies: head is event {events[-1].pk}, {events[-1].row_hash_hex}\n"


@pytest.mark.postgresql(reason="the triggers")
def test_an_edited_event_is_found(events, audit_tamper):
    audit_tamper("UPDATE audit_auditevent SET actor_name = 'someone else' WHERE id = %s", [events[2].pk])
    report = verify()
    assert report.startswith("FAILED") and f"event {events[2].pk}: its content does not match" in report


@pytest.mark.postgresql(reason="the triggers")
def test_a_removed_event_is_found(events, audit_tamper):
    audit_tamper("DELETE FROM audit_auditevent WHERE id = %s", [events[2].pk])
    report = verify()
    assert report.startswith("FAILED") and f"event {events[3].pk}: its link does not match" in report


@pytest.mark.postgresql(reason="the triggers")
def test_removed_newest_events_are_found_against_a_head_kept_elsewhere(events, audit_tamper):
    kept = events[-1].row_hash_hex
    assert "verifies" in verify("--expect-head", kept)  # control
    audit_tamper("DELETE FROM audit_auditevent WHERE id >= %s", [events[3].pk])
    assert "verifies" in verify()  # the chain alone cannot see a cut tail...
    assert "is not in the chain" in verify("--expect-head", kept)  # ...the kept head can


def test_the_admin_page_shows_the_chain_head(client, admin, events):
    client.force_login(admin)
    page = client.get(reverse("audit_log")).content.decode()
    head = AuditEvent.objects.order_by("-id").first()
    assert head.row_hash_hex in page
