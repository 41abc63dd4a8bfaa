"""The dossier status workflow: allowed moves, refused moves with a message, reopening, who may."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from audit.models import AuditEvent
from cases import workflow
from cases.models import Dossier, DossierStatusChange
from cases.services import dossier_status_change


def test_the_workflow_goes_from_opened_to_closed_and_may_reopen():
    path = ["opened", "under_investigation", "positive", "sent_to_court", "closed", "under_investigation"]
    for current, new in zip(path, path[1:], strict=False):
        assert workflow.transition_error(current, new) is None, (current, new)
    assert workflow.transition_error("under_investigation", "negative") is None
    assert workflow.transition_error("negative", "closed") is None


@pytest.mark.parametrize(
    ("current", "new", "error"),
    [
        ("opened", "positive", "forbidden"),
        ("opened", "closed", "forbidden"),
        ("negative", "sent_to_court", "forbidden"),
        ("closed", "positive", "forbidden"),
        ("positive", "positive", "same"),
        ("opened", "archived", "unknown"),
    ],
)
def test_impossible_transitions_are_refused(current, new, error):
    assert workflow.transition_error(current, new) == error


def test_every_change_is_recorded_with_who_when_and_why(dossier, owner):
    dossier_status_change(dossier=dossier, to_status="under_investigation", reason="Warrant issued", by=owner)
    dossier.refresh_from_db()
    change = DossierStatusChange.objects.get()
    assert dossier.status == "under_investigation"
    assert (change.from_status, change.to_status, change.reason, change.by) == (
        "opened",
        "under_investigation",
        "Warrant issued",
        owner,
    )
    assert AuditEvent.objects.filter(action="dossier.status", dossier=dossier, actor=owner).exists()


def test_reopening_a_closed_dossier_is_recorded_as_a_reopening(dossier, owner):
    Dossier.objects.filter(pk=dossier.pk).update(status="closed")
    dossier_status_change(dossier=dossier, to_status="under_investigation", reason="New evidence", by=owner)
    assert AuditEvent.objects.filter(action="dossier.reopen", dossier=dossier).exists()
    assert DossierStatusChange.objects.get().from_status == "closed"


def test_an_impossible_transition_says_where_the_dossier_can_go(dossier, owner):
    with pytest.raises(ValidationError, match="from Opened it can go to: Under investigation"):
        dossier_status_change(dossier=dossier, to_status="positive", reason="x", by=owner)
    with pytest.raises(ValidationError, match="reason"):
        dossier_status_change(dossier=dossier, to_status="under_investigation", reason="  ", by=owner)
    assert not DossierStatusChange.objects.exists()
    dossier_status_change(dossier=dossier, to_status="under_investigation", reason="ok", by=owner)  # control
    assert DossierStatusChange.objects.count() == 1


def test_the_status_page_refuses_an_impossible_move_with_a_message_not_an_error_page(client, owner, dossier):
    client.force_login(owner)
    url = reverse("dossier_status", args=[dossier.pk])
    response = client.post(url, {"to_status": "sent_to_court", "reason": "too early"})
    assert response.status_code == 200 and "cannot go from Opened to Sent to court" in response.content.decode()
    response = client.post(url, {"to_status": "under_investigation", "reason": "Searches planned"})
    assert response.status_code == 302
    dossier.refresh_from_db()
    assert dossier.status == "under_investigation"


def test_only_investigating_roles_change_the_status(client, prosecutor, outsider, colleague, dossier):
    url = reverse("dossier_status", args=[dossier.pk])
    data = {"to_status": "under_investigation", "reason": "x"}
    client.force_login(outsider)
    assert client.post(url, data).status_code == 404
    client.force_login(prosecutor)
    assert client.post(url, data).status_code == 403
    dossier.refresh_from_db()
    assert dossier.status == "opened"
    client.force_login(colleague)  # control: an investigator of the team may
    assert client.post(url, data).status_code == 302
    dossier.refresh_from_db()
    assert dossier.status == "under_investigation"
