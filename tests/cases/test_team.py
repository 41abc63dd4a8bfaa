"""The lead manages the team from the dossier page; every change is audited."""

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from audit.models import AuditEvent
from cases.models import Membership
from cases.services import membership_add, membership_change_role, membership_remove


def test_the_lead_adds_a_member_changes_their_role_and_removes_them(client, owner, outsider, dossier):
    client.force_login(owner)
    client.post(reverse("team_add", args=[dossier.pk]), {"user": outsider.pk, "role": "analyst"})
    membership = Membership.objects.get(dossier=dossier, user=outsider)
    assert membership.role == "analyst"
    client.force_login(outsider)
    assert client.get(dossier.get_absolute_url()).status_code == 200
    client.force_login(owner)
    client.post(reverse("team_change", args=[dossier.pk, membership.pk]), {"role": "investigator"})
    membership.refresh_from_db()
    assert membership.role == "investigator"
    client.post(reverse("team_change", args=[dossier.pk, membership.pk]), {"role": "investigator", "remove": "1"})
    assert not Membership.objects.filter(pk=membership.pk).exists()
    actions = list(AuditEvent.objects.filter(dossier=dossier, actor=owner).values_list("action", flat=True))
    assert {"membership.add", "membership.change", "membership.remove"} <= set(actions)
    client.force_login(outsider)
    assert client.get(dossier.get_absolute_url()).status_code == 404


def test_only_the_lead_manages_the_team(client, colleague, owner, outsider, dossier):
    client.force_login(colleague)
    response = client.post(reverse("team_add", args=[dossier.pk]), {"user": outsider.pk, "role": "analyst"})
    assert response.status_code == 403
    assert b"Add to the team" not in client.get(dossier.get_absolute_url()).content
    client.force_login(owner)  # control
    assert b"Add to the team" in client.get(dossier.get_absolute_url()).content
    client.post(reverse("team_add", args=[dossier.pk]), {"user": outsider.pk, "role": "analyst"})
    assert Membership.objects.filter(dossier=dossier, user=outsider).exists()


def test_the_last_lead_cannot_be_removed_or_demoted(client, owner, colleague, dossier):
    lead = Membership.objects.get(dossier=dossier, user=owner)
    client.force_login(owner)
    url = reverse("team_change", args=[dossier.pk, lead.pk])
    response = client.post(url, {"role": "lead", "remove": "1"}, follow=True)
    assert "at least one lead investigator" in response.content.decode()
    client.post(url, {"role": "analyst"})
    lead.refresh_from_db()
    assert lead.role == "lead"
    other = Membership.objects.get(dossier=dossier, user=colleague)  # control: with a second lead it works
    client.post(reverse("team_change", args=[dossier.pk, other.pk]), {"role": "lead"})
    client.post(url, {"role": "analyst"})
    lead.refresh_from_db()
    assert lead.role == "analyst"


def test_the_team_services_refuse_anyone_but_the_lead(owner, colleague, outsider, dossier):
    """The lead rule lives in the services, whatever calls them (a view, a command, the admin)."""
    membership = Membership.objects.get(dossier=dossier, user=colleague)
    with pytest.raises(PermissionDenied):
        membership_add(dossier=dossier, user=outsider, role="lead", by=colleague)
    with pytest.raises(PermissionDenied):
        membership_change_role(membership=membership, role="lead", by=colleague)
    with pytest.raises(PermissionDenied):
        membership_remove(membership=Membership.objects.get(dossier=dossier, user=owner), by=colleague)
    assert not Membership.objects.filter(dossier=dossier, user=outsider).exists()
    assert Membership.objects.get(dossier=dossier, user=colleague).role == "investigator"
    membership_add(dossier=dossier, user=outsider, role="analyst", by=owner)  # control: the lead
    assert Membership.objects.get(dossier=dossier, user=outsider).role == "analyst"


def test_adding_someone_already_in_the_team_is_refused_not_a_silent_role_change(client, owner, colleague, dossier):
    client.force_login(owner)
    response = client.post(reverse("team_add", args=[dossier.pk]), {"user": colleague.pk, "role": "lead"}, follow=True)
    assert response.status_code == 200
    assert Membership.objects.get(dossier=dossier, user=colleague).role == "investigator"
