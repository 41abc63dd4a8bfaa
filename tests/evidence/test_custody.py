"""Chain of custody: the sequence rules (a pure function, no database), the service and the page."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import DataError, InternalError, ProgrammingError, connection, transaction
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from evidence.custody.rules import custody_error
from evidence.custody.services import custody_event_record
from evidence.models import CustodyEvent


def test_a_normal_chain_is_accepted():
    chain = [
        "sealed",
        "transferred",
        "checked_out",
        "opened_for_acquisition",
        "resealed",
        "checked_in",
        "returned",
    ]
    for i, kind in enumerate(chain):
        assert custody_error(chain[:i], kind) is None, kind


@pytest.mark.parametrize(
    ("previous", "new", "error"),
    [
        ([], "transferred", "first_not_sealed"),
        ([], "checked_in", "first_not_sealed"),
        (["sealed"], "checked_in", "not_checked_out"),
        (["sealed", "checked_out", "checked_in"], "checked_in", "not_checked_out"),
        (["sealed", "checked_out"], "checked_out", "already_checked_out"),
        (["sealed", "destroyed"], "transferred", "after_final"),
        (["sealed", "returned"], "checked_out", "after_final"),
        (["sealed", "returned"], "sealed", "after_final"),
        (["sealed"], "sealed", "already_sealed"),
        (["sealed"], "resealed", "not_open"),
        (["sealed", "opened_for_acquisition"], "opened_for_acquisition", "already_open"),
        (["sealed", "opened_for_acquisition"], "destroyed", "open_at_end"),
        (["sealed"], "lost", "unknown"),
    ],
)
def test_impossible_sequences_are_refused(previous, new, error):
    assert custody_error(previous, new) == error


def at(hours: int) -> datetime.datetime:
    return timezone.now() - datetime.timedelta(days=2) + datetime.timedelta(hours=hours)


def test_events_are_recorded_in_order_and_the_seal_follows_the_resealing(exhibit, owner):
    custody_event_record(exhibit=exhibit, kind="sealed", at=at(0), seal_after="SC-1", to_person="Agent A", by=owner)
    custody_event_record(exhibit=exhibit, kind="opened_for_acquisition", at=at(1), seal_before="SC-1", by=owner)
    custody_event_record(exhibit=exhibit, kind="resealed", at=at(2), seal_after="SC-1-B", seal_intact=True, by=owner)
    exhibit.refresh_from_db()
    assert exhibit.seal_number == "SC-1-B"
    assert list(exhibit.custody_events.values_list("kind", flat=True)) == [
        "sealed",
        "opened_for_acquisition",
        "resealed",
    ]


def test_a_checking_in_of_what_is_not_out_is_refused_with_a_message(exhibit, owner):
    custody_event_record(exhibit=exhibit, kind="sealed", at=at(0), by=owner)
    with pytest.raises(ValidationError, match="not checked out"):
        custody_event_record(exhibit=exhibit, kind="checked_in", at=at(1), by=owner)
    with pytest.raises(ValidationError, match="earlier than the previous"):
        custody_event_record(exhibit=exhibit, kind="checked_out", at=at(-1), by=owner)
    custody_event_record(exhibit=exhibit, kind="checked_out", at=at(1), by=owner)  # control
    custody_event_record(exhibit=exhibit, kind="checked_in", at=at(2), by=owner)
    assert exhibit.custody_events.count() == 3


def test_custody_events_are_append_only(exhibit, owner):
    event = custody_event_record(exhibit=exhibit, kind="sealed", at=at(0), by=owner)
    with pytest.raises(ValueError, match="append-only"):
        event.save()
    with pytest.raises(ValueError, match="append-only"):
        event.delete()


@pytest.mark.postgresql(reason="the triggers exist on PostgreSQL only")
def test_postgresql_refuses_to_update_or_delete_a_custody_event_even_in_raw_sql(database_owner, exhibit, owner):
    event = custody_event_record(exhibit=exhibit, kind="sealed", at=at(0), to_person="Agent A", by=owner)
    errors = (InternalError, DataError, ProgrammingError)
    for statement in (
        "UPDATE evidence_custodyevent SET to_person = 'Someone else' WHERE id = %s",
        "DELETE FROM evidence_custodyevent WHERE id = %s",
    ):
        # The application's role has no right to (audit/roles.py), or, without a separate owner, the trigger refuses.
        with pytest.raises(errors, match="append-only|permission denied"), transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute(statement, [event.pk])
        # The tables' owner holds every right: the trigger still refuses.
        with pytest.raises(errors, match="append-only"), database_owner.cursor() as cursor:
            cursor.execute(statement, [event.pk])
    assert CustodyEvent.objects.get(pk=event.pk).to_person == "Agent A"
    # Control: appending goes on.
    custody_event_record(exhibit=exhibit, kind="checked_out", at=at(1), to_person="Agent B", by=owner)
    assert list(exhibit.custody_events.values_list("to_person", flat=True)) == ["Agent A", "Agent B"]


def test_a_custody_event_s_audit_event_holds_the_whole_entry(exhibit, owner):
    event = custody_event_record(
        exhibit=exhibit,
        kind="sealed",
        at=at(0),
        from_person="Inspecteur Lambert",
        to_person="Agent Peeters",
        from_location="Rue de l'Exemple 1, 1000 Bruxelles",
        to_location="CCU Brussels, evidence room 2",
        purpose="Seizure under warrant 2026/17",
        seal_before="",
        seal_after="SC-1-A",
        seal_intact=True,
        by=owner,
    )
    detail = AuditEvent.objects.get(action="custody.record", target_id=str(event.pk)).detail
    for field in CustodyEvent._meta.concrete_fields:
        value = field.value_from_object(event)
        expected = value.isoformat() if hasattr(value, "isoformat") else value
        assert detail[field.attname] == expected, field.attname
    assert (detail["to_person"], detail["seal_after"], detail["seal_intact"]) == ("Agent Peeters", "SC-1-A", True)
    assert (detail["exhibit_id"], detail["recorded_by_username"]) == (exhibit.pk, "owner")


def test_the_custody_page_shows_the_refusal_and_records_a_valid_event(client, owner, exhibit):
    client.force_login(owner)
    url = reverse("custody_new", args=[exhibit.pk])
    when = timezone.localtime(at(0)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(url, {"kind": "transferred", "at": when})
    assert (
        response.status_code == 200
        and "The first event of a chain of custody is the sealing." in response.content.decode()
    )
    assert not CustodyEvent.objects.exists()
    response = client.post(url, {"kind": "sealed", "at": when, "to_location": "Evidence room 2", "seal_intact": "true"})
    assert response.status_code == 302
    event = CustodyEvent.objects.get()
    assert event.seal_intact is True and event.recorded_by == owner


def test_the_custody_sheet_prints_every_event(client, prosecutor, outsider, exhibit, owner):
    custody_event_record(exhibit=exhibit, kind="sealed", at=at(0), to_person="Agent Lambert", by=owner)
    url = reverse("custody_sheet", args=[exhibit.pk])
    client.force_login(outsider)
    assert client.get(url).status_code == 404
    client.force_login(prosecutor)  # control: any member reads it
    response = client.get(url)
    assert response.status_code == 200 and "Agent Lambert" in response.content.decode()
    assert b"custody-sheet.css" in response.content


def test_the_exhibit_page_lists_its_custody_events(client, prosecutor, exhibit, owner):
    custody_event_record(exhibit=exhibit, kind="sealed", at=at(0), to_person="Agent Lambert", by=owner)
    client.force_login(prosecutor)
    page = client.get(exhibit.get_absolute_url()).content.decode()
    assert 'data-kind="sealed"' in page and "Agent Lambert" in page
