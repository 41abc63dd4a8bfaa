from django.urls import reverse

from audit.models import AuditEvent


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
