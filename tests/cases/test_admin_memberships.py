from django.urls import reverse

from audit.models import AuditEvent
from cases.models import Dossier, Membership

# The dossier admin's form: the editable details (the inline team is read-only, with no rows to add).
DOSSIER_FORM = {
    "title": "Test dossier",
    "prosecutor": "",
    "judge_name": "",
    "judge_court": "",
    "memberships-TOTAL_FORMS": "0",
    "memberships-INITIAL_FORMS": "0",
}


def test_an_admin_adds_a_member_who_then_sees_the_dossier_and_it_is_audited(client, admin, outsider, dossier):
    client.force_login(outsider)
    assert client.get(dossier.get_absolute_url()).status_code == 404
    client.force_login(admin)
    response = client.post(
        reverse("admin:cases_membership_add"), {"dossier": dossier.pk, "user": outsider.pk, "role": "analyst"}
    )
    assert response.status_code == 302
    event = AuditEvent.objects.get(action="membership.add", actor=admin)
    assert event.dossier_id == dossier.pk and event.detail["user"] == "outsider"
    client.force_login(outsider)
    assert client.get(dossier.get_absolute_url()).status_code == 200


def test_only_staff_reach_the_user_administration(client, owner, admin):
    client.force_login(owner)
    assert client.get(reverse("admin:auth_user_changelist")).status_code == 302  # to the admin login
    client.force_login(admin)
    assert client.get(reverse("admin:auth_user_changelist")).status_code == 200


def test_a_membership_added_in_the_admin_shows_on_the_team_table_and_the_timeline(client, admin, outsider, dossier):
    client.force_login(admin)
    client.post(reverse("admin:cases_membership_add"), {"dossier": dossier.pk, "user": outsider.pk, "role": "lead"})
    client.force_login(outsider)  # any member sees it, the new one too
    team = client.get(dossier.get_absolute_url()).content.decode()
    assert 'data-testid="admin-grant"' in team and "added by admin in the admin" in team
    timeline = client.get(reverse("dossier_timeline", args=[dossier.pk])).content.decode()
    assert "outsider joined the team as Lead investigator" in timeline
    assert "Done by an administrator in the Django admin." in timeline


def test_an_admin_cannot_make_themselves_a_member_in_the_admin(client, admin, outsider, dossier):
    client.force_login(admin)
    response = client.post(
        reverse("admin:cases_membership_add"), {"dossier": dossier.pk, "user": admin.pk, "role": "lead"}
    )
    assert response.status_code == 200 and "You cannot add yourself to a dossier" in response.content.decode()
    assert not Membership.objects.filter(dossier=dossier, user=admin).exists()
    assert client.get(dossier.get_absolute_url()).status_code == 404
    # Nor by naming themselves the dossier's prosecutor.
    url = reverse("admin:cases_dossier_change", args=[dossier.pk])
    response = client.post(url, DOSSIER_FORM | {"prosecutor": admin.pk})
    assert response.status_code == 200
    assert not Membership.objects.filter(dossier=dossier, user=admin).exists()
    # Control: another person is added, and the change is audited.
    client.post(reverse("admin:cases_membership_add"), {"dossier": dossier.pk, "user": outsider.pk, "role": "lead"})
    assert Membership.objects.get(dossier=dossier, user=outsider).role == "lead"


def test_the_admin_changes_and_removes_memberships_through_the_team_rules(client, admin, owner, colleague, dossier):
    lead = Membership.objects.get(dossier=dossier, user=owner)
    client.force_login(admin)
    # The last lead is neither demoted nor removed.
    response = client.post(reverse("admin:cases_membership_change", args=[lead.pk]), {"role": "analyst"})
    assert response.status_code == 200 and "at least one lead investigator" in response.content.decode()
    assert client.post(reverse("admin:cases_membership_delete", args=[lead.pk]), {"post": "yes"}).status_code == 403
    lead.refresh_from_db()
    assert lead.role == "lead"
    # No bulk deletion past the services.
    changelist = client.get(reverse("admin:cases_membership_changelist")).content.decode()
    assert "delete_selected" not in changelist
    # Control: a colleague's role changes and they are removed, each audited as done in the admin.
    member = Membership.objects.get(dossier=dossier, user=colleague)
    response = client.post(reverse("admin:cases_membership_change", args=[member.pk]), {"role": "analyst"})
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.role == "analyst"
    assert client.post(reverse("admin:cases_membership_delete", args=[member.pk]), {"post": "yes"}).status_code == 302
    assert not Membership.objects.filter(pk=member.pk).exists()
    events = AuditEvent.objects.filter(actor=admin, dossier=dossier, detail__via="admin")
    assert set(events.values_list("action", flat=True)) == {"membership.change", "membership.remove"}


def test_the_admin_cannot_change_a_dossiers_status_number_or_four_eyes_rule(client, admin, dossier):
    client.force_login(admin)
    url = reverse("admin:cases_dossier_change", args=[dossier.pk])
    response = client.post(
        url,
        DOSSIER_FORM
        | {"title": "Renamed", "prosecutor": dossier.prosecutor_id, "status": "closed", "four_eyes": "on"}
        | {"notice_number": "BR.52.L1.999999/26"},
    )
    assert response.status_code == 302
    dossier.refresh_from_db()
    assert (dossier.status, dossier.notice_number, dossier.four_eyes) == ("opened", "BR.52.L1.000001/26", False)
    assert not dossier.status_changes.exists()
    # Control: the title did change, through the details service, audited as done in the admin.
    assert dossier.title == "Renamed"
    event = AuditEvent.objects.get(action="dossier.change", actor=admin)
    assert event.detail["changes"] == {"title": ["Test dossier", "Renamed"]} and event.detail["via"] == "admin"


def test_the_admin_neither_opens_nor_deletes_dossiers(client, admin, dossier):
    client.force_login(admin)
    assert client.get(reverse("admin:cases_dossier_add")).status_code == 403
    assert client.post(reverse("admin:cases_dossier_delete", args=[dossier.pk]), {"post": "yes"}).status_code == 403
    assert Dossier.objects.filter(pk=dossier.pk).exists()
    assert client.get(reverse("admin:cases_dossier_change", args=[dossier.pk])).status_code == 200  # control
