import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from audit.models import AuditEvent
from cases.services import dossier_update_details
from tests.factories import make_user


def test_the_lead_changes_the_judge_and_prosecutor_and_the_old_values_are_kept(client, owner, dossier, prosecutor):
    new_prosecutor = make_user("prosecutor2", "prosecutor")
    client.force_login(owner)
    response = client.post(
        reverse("dossier_edit", args=[dossier.pk]),
        {"title": "Renamed", "prosecutor": new_prosecutor.pk, "judge_name": "Juge B", "judge_court": "TPI Bruxelles"},
    )
    assert response.status_code == 302
    dossier.refresh_from_db()
    assert (dossier.title, dossier.judge_name, dossier.prosecutor) == ("Renamed", "Juge B", new_prosecutor)
    assert dossier.memberships.get(user=new_prosecutor).role == "prosecutor"
    event = AuditEvent.objects.get(action="dossier.change", actor=owner)
    assert event.detail["changes"]["title"] == ["Test dossier", "Renamed"]
    assert AuditEvent.objects.filter(action="membership.add", actor=owner, detail__user="prosecutor2").exists()


def test_a_member_who_is_not_the_lead_cannot_add_a_reader_through_the_prosecutor_field(
    client, colleague, dossier, prosecutor
):
    new_prosecutor = make_user("prosecutor2", "prosecutor")
    client.force_login(colleague)
    url = reverse("dossier_edit", args=[dossier.pk])
    assert "Only the lead investigator changes the prosecutor" in client.get(url).content.decode()
    response = client.post(url, {"title": "Renamed", "prosecutor": new_prosecutor.pk, "judge_name": "Juge B"})
    assert response.status_code == 302
    dossier.refresh_from_db()
    assert dossier.title == "Renamed"  # control: the other details are theirs to change
    assert dossier.prosecutor == prosecutor and not dossier.memberships.filter(user=new_prosecutor).exists()
    client.force_login(new_prosecutor)
    assert client.get(dossier.get_absolute_url()).status_code == 404


def test_the_details_service_refuses_a_prosecutor_change_by_a_non_lead(colleague, owner, dossier):
    new_prosecutor = make_user("prosecutor2", "prosecutor")
    with pytest.raises(ValidationError):
        dossier_update_details(dossier=dossier, by=colleague, prosecutor=new_prosecutor)
    assert not dossier.memberships.filter(user=new_prosecutor).exists()
    dossier_update_details(dossier=dossier, by=owner, prosecutor=new_prosecutor)  # control: the lead
    assert dossier.memberships.get(user=new_prosecutor).role == "prosecutor"


def test_a_prosecutor_cannot_edit_and_an_outsider_cannot_see(client, prosecutor, outsider, colleague, dossier):
    url = reverse("dossier_edit", args=[dossier.pk])
    client.force_login(prosecutor)
    assert client.post(url, {"title": "X"}).status_code == 403
    client.force_login(outsider)
    assert client.get(url).status_code == 404
    dossier.refresh_from_db()
    assert dossier.title == "Test dossier"
    client.force_login(colleague)  # control
    assert client.get(url).status_code == 200
