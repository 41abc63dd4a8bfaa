"""Suspects: one person, several dossiers; a likely duplicate is flagged without revealing other dossiers."""

from django.urls import reverse

from audit.models import AuditEvent
from cases.models import DossierSuspect, Person
from tests.factories import make_dossier, make_search, make_suspect

NEW_SUSPECT = {"full_name": "Jean Exemple", "birth_date": "1990-04-01", "status": "identified"}


def test_an_investigator_registers_a_suspect_with_identifiers_and_a_search(client, owner, dossier):
    search = make_search(dossier)
    client.force_login(owner)
    data = NEW_SUSPECT | {"usernames": "jex90\njean_x", "phone_numbers": "+32 470 12 34 56", "searches": [search.pk]}
    response = client.post(reverse("suspect_new", args=[dossier.pk]), data)
    suspect = DossierSuspect.objects.get()
    assert response.status_code == 302 and response["Location"] == suspect.get_absolute_url()
    assert sorted(suspect.person.identifiers.values_list("normalized", flat=True)) == ["32470123456", "jean_x", "jex90"]
    assert list(suspect.searches.all()) == [search]
    assert suspect.status_changes.get().to_status == "identified"
    assert AuditEvent.objects.filter(action="suspect.register", dossier=dossier).exists()


def test_a_likely_duplicate_in_another_of_the_users_dossiers_is_flagged_and_linked(client, owner, dossier):
    mine = make_dossier(owner, notice_number="BR.52.L1.000003/26", title="Another dossier of mine")
    make_suspect(mine, full_name="Jean Exemple", birth_date="1990-04-01", identifiers=[("username", "jex90")])
    client.force_login(owner)
    url = reverse("suspect_new", args=[dossier.pk])
    response = client.post(url, NEW_SUSPECT)
    page = response.content.decode()
    assert response.status_code == 200 and 'data-testid="duplicate-warning"' in page
    assert mine.notice_number in page
    assert DossierSuspect.objects.filter(dossier=dossier).count() == 0  # nothing saved before the answer
    existing = Person.objects.get()
    response = client.post(url, NEW_SUSPECT | {"same_person": existing.pk, "emails": "jex@example.org"})
    assert response.status_code == 302
    assert DossierSuspect.objects.get(dossier=dossier).person == existing  # the same person, two dossiers
    assert Person.objects.count() == 1
    assert sorted(existing.identifiers.values_list("value", flat=True)) == ["jex90", "jex@example.org"]


def test_a_person_known_only_in_a_dossier_the_user_cannot_see_is_not_flagged(
    client, owner, dossier, other_dossier, outsider
):
    make_suspect(other_dossier, full_name="Jean Exemple", by=outsider, birth_date="1990-04-01")
    client.force_login(owner)
    response = client.post(reverse("suspect_new", args=[dossier.pk]), NEW_SUSPECT)
    # No warning, no name, no dossier: the suspect is registered as a new person of this dossier.
    assert response.status_code == 302
    assert Person.objects.count() == 2
    assert DossierSuspect.objects.get(dossier=dossier).person.created_by == owner


def test_a_same_phone_number_known_only_elsewhere_reveals_nothing(client, owner, dossier, other_dossier, outsider):
    make_suspect(other_dossier, full_name="Paul Autre", by=outsider, identifiers=[("phone", "0032470123456")])
    client.force_login(owner)
    url = reverse("suspect_new", args=[dossier.pk])
    data = {"full_name": "Pierre Neuf", "status": "summoned", "phone_numbers": "+32 470 12 34 56"}
    response = client.post(url, data)
    assert response.status_code == 302 and Person.objects.count() == 2
    assert "Paul Autre" not in client.get(response["Location"]).content.decode()


def test_a_same_phone_number_is_a_likely_duplicate_and_someone_else_can_be_registered(client, owner, dossier):
    mine = make_dossier(owner, notice_number="BR.52.L1.000003/26", title="Another dossier of mine")
    make_suspect(mine, full_name="Paul Autre", identifiers=[("phone", "0032470123456")])
    client.force_login(owner)
    url = reverse("suspect_new", args=[dossier.pk])
    data = {"full_name": "Pierre Neuf", "status": "summoned", "phone_numbers": "+32 470 12 34 56"}
    assert b"duplicate-warning" in client.post(url, data).content
    assert client.post(url, data | {"same_person": "new"}).status_code == 302
    assert Person.objects.count() == 2


def test_an_unrelated_person_raises_no_warning(client, owner, dossier, other_dossier, outsider):
    make_suspect(other_dossier, full_name="Jean Exemple", by=outsider, birth_date="1970-01-01")
    client.force_login(owner)
    response = client.post(reverse("suspect_new", args=[dossier.pk]), NEW_SUSPECT)
    assert response.status_code == 302  # same name, other birth date: not flagged


def test_a_suspects_status_changes_are_kept(client, owner, prosecutor, dossier):
    suspect = make_suspect(dossier)
    url = reverse("suspect_status", args=[suspect.pk])
    client.force_login(prosecutor)
    assert client.post(url, {"to_status": "arrested"}).status_code == 403
    client.force_login(owner)  # control
    client.post(url, {"to_status": "arrested", "note": "Mandat d'arrêt"})
    client.post(url, {"to_status": "charged_released"})
    suspect.refresh_from_db()
    assert suspect.status == "charged_released"
    assert list(suspect.status_changes.order_by("at", "id").values_list("to_status", flat=True)) == [
        "identified",
        "arrested",
        "charged_released",
    ]
    response = client.post(url, {"to_status": "charged_released"}, follow=True)
    assert "already has this status" in response.content.decode()
