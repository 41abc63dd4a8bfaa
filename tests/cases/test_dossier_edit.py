from django.urls import reverse

from audit.models import AuditEvent
from tests.factories import make_user


def test_an_investigator_changes_the_judge_and_prosecutor_and_the_old_values_are_kept(
    client, colleague, dossier, prosecutor
):
    new_prosecutor = make_user("prosecutor2", "prosecutor")
    client.force_login(colleague)
    response = client.post(
        reverse("dossier_edit", args=[dossier.pk]),
        {"title": "Renamed", "prosecutor": new_prosecutor.pk, "judge_name": "Juge B", "judge_court": "TPI Bruxelles"},
    )
    assert response.status_code == 302
    dossier.refresh_from_db()
    assert (dossier.title, dossier.judge_name, dossier.prosecutor) == ("Renamed", "Juge B", new_prosecutor)
    assert dossier.memberships.get(user=new_prosecutor).role == "prosecutor"
    event = AuditEvent.objects.get(action="dossier.change", actor=colleague)
    assert event.detail["changes"]["title"] == ["Test dossier", "Renamed"]


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
