"""One exhibit per seal number within a dossier: the rule lives in ``exhibit_register`` and every path asks it."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from evidence.custody.exhibits import exhibit_register
from evidence.custody.services import custody_event_record
from evidence.models import Exhibit
from tests.factories import make_exhibit


def test_the_service_refuses_a_seal_number_already_in_the_dossier(owner, dossier, other_dossier, exhibit):
    with pytest.raises(ValidationError) as refused:
        exhibit_register(dossier=dossier, kind="phone", seal_number=exhibit.seal_number, by=owner)
    assert "already has an exhibit" in str(refused.value.message_dict["seal_number"])
    assert dossier.exhibits.count() == 1
    # Controls: a new seal in the same dossier, the same seal in another dossier.
    exhibit_register(dossier=dossier, kind="phone", seal_number="SC-NEW", by=owner)
    exhibit_register(dossier=other_dossier, kind="phone", seal_number=exhibit.seal_number, by=owner)
    assert Exhibit.objects.filter(seal_number=exhibit.seal_number).count() == 2


def at(hours: int) -> datetime.datetime:
    return timezone.now() - datetime.timedelta(days=2) + datetime.timedelta(hours=hours)


def test_a_resealing_cannot_take_another_exhibit_s_seal_number(client, owner, dossier, exhibit):
    other = make_exhibit(dossier, by=owner, seal_number="SC-OTHER")
    custody_event_record(exhibit=exhibit, kind="sealed", at=at(0), seal_after=exhibit.seal_number, by=owner)
    custody_event_record(exhibit=exhibit, kind="opened_for_acquisition", at=at(1), by=owner)
    client.force_login(owner)
    url = reverse("custody_new", args=[exhibit.pk])
    when = timezone.localtime(at(2)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(url, {"kind": "resealed", "at": when, "seal_after": other.seal_number})
    assert response.status_code == 200 and b"already has an exhibit" in response.content
    assert exhibit.custody_events.count() == 2
    exhibit.refresh_from_db()
    assert exhibit.seal_number != other.seal_number
    # Control: a fresh seal number is recorded and becomes the exhibit's.
    response = client.post(url, {"kind": "resealed", "at": when, "seal_after": "SC-1-B"})
    assert response.status_code == 302
    exhibit.refresh_from_db()
    assert exhibit.seal_number == "SC-1-B" and exhibit.custody_events.count() == 3


def test_resealing_under_the_exhibit_s_own_seal_number_is_allowed(owner, exhibit):
    custody_event_record(exhibit=exhibit, kind="sealed", at=at(0), seal_after=exhibit.seal_number, by=owner)
    assert exhibit.custody_events.count() == 1
