from django.urls import reverse

from audit.models import AuditEvent
from cases.models import Dossier, Membership


def test_investigator_opens_a_dossier_and_leads_it_with_the_prosecutor_reading(client, owner, prosecutor):
    client.force_login(owner)
    response = client.post(
        reverse("dossier_new"),
        {
            "notice_number": "br.52.l1.012345/25",
            "title": "Images shared on a forum",
            "opened_on": "2026-11-02",
            "prosecutor": prosecutor.pk,
        },
    )
    dossier = Dossier.objects.get()
    assert response.status_code == 302 and response["Location"] == dossier.get_absolute_url()
    assert dossier.notice_number == "BR.52.L1.012345/25"
    roles = dict(dossier.memberships.values_list("user__username", "role"))
    assert roles == {"owner": Membership.Role.LEAD, "prosecutor": Membership.Role.PROSECUTOR}
    assert AuditEvent.objects.filter(action="dossier.create", dossier=dossier, actor=owner).exists()


def test_a_notice_number_in_the_wrong_format_is_refused_with_a_message(client, owner):
    client.force_login(owner)
    response = client.post(reverse("dossier_new"), {"notice_number": "12345", "title": "x", "opened_on": "2026-11-02"})
    assert response.status_code == 200 and "BR.52.L1.012345/25" in response.content.decode()
    assert not Dossier.objects.exists()
    client.post(
        reverse("dossier_new"), {"notice_number": "BR.52.L1.000009/26", "title": "x", "opened_on": "2026-11-02"}
    )
    assert Dossier.objects.count() == 1  # control


def test_a_duplicate_seal_number_is_refused_in_the_same_dossier(client, owner, dossier, exhibit):
    client.force_login(owner)
    url = reverse("exhibit_new", args=[dossier.pk])
    response = client.post(url, {"kind": "phone", "seal_number": exhibit.seal_number})
    assert response.status_code == 200 and b"already has an exhibit" in response.content
    assert client.post(url, {"kind": "phone", "seal_number": "SC-2"}).status_code == 302  # control
