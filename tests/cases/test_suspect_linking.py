"""A person may be linked to a dossier only by someone who sees a dossier already holding them."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from cases.models import DossierSuspect, Person
from cases.suspects import suspect_register
from tests.factories import make_dossier, make_suspect

HOSTILE = {"full_name": "Anyone", "status": "identified", "phone_numbers": "+32 499 99 99 99"}


@pytest.fixture
def foreign_person(other_dossier, outsider):
    """A suspect of the outsider's dossier, with a national number and an identifier."""
    suspect = make_suspect(
        other_dossier,
        full_name="Marc Secret",
        by=outsider,
        national_number="84.03.14-123.45",
        identifiers=[("username", "marc_hidden")],
    )
    return suspect.person


def test_an_investigator_cannot_link_a_person_of_a_dossier_they_cannot_see(client, owner, dossier, foreign_person):
    client.force_login(owner)
    response = client.post(reverse("suspect_new", args=[dossier.pk]), HOSTILE | {"same_person": foreign_person.pk})
    page = response.content.decode()
    assert response.status_code == 200 and "This person cannot be linked" in page
    assert "Marc Secret" not in page and "84.03.14-123.45" not in page and "marc_hidden" not in page
    assert not DossierSuspect.objects.filter(dossier=dossier).exists()
    # Nothing was written onto the other dossier's person.
    assert list(foreign_person.identifiers.values_list("value", flat=True)) == ["marc_hidden"]


def test_an_unknown_person_id_gets_the_same_answer_as_a_hidden_one(client, owner, dossier, foreign_person):
    client.force_login(owner)
    url = reverse("suspect_new", args=[dossier.pk])
    hidden = client.post(url, HOSTILE | {"same_person": foreign_person.pk})
    unknown = client.post(url, HOSTILE | {"same_person": foreign_person.pk + 1000})
    garbage = client.post(url, HOSTILE | {"same_person": "1 OR 1=1"})
    assert hidden.status_code == unknown.status_code == garbage.status_code == 200
    assert all("This person cannot be linked" in r.content.decode() for r in (hidden, unknown, garbage))
    # Control: the same form with "someone else" registers a new person.
    assert client.post(url, HOSTILE | {"same_person": "new"}).status_code == 302
    assert DossierSuspect.objects.get(dossier=dossier).person != foreign_person


def test_the_service_refuses_the_link_whatever_calls_it(owner, dossier, foreign_person, other_dossier, outsider):
    with pytest.raises(ValidationError):
        suspect_register(dossier=dossier, person=foreign_person, by=owner)
    assert not DossierSuspect.objects.filter(dossier=dossier).exists()
    # Control: the outsider, a member of the dossier that holds the person, links them to a second one.
    second = make_dossier(outsider, notice_number="BR.52.L1.000004/26", title="Outsider's second dossier")
    assert suspect_register(dossier=second, person=foreign_person, by=outsider).person == foreign_person


def test_a_read_only_member_of_the_holding_dossier_may_link_the_person(owner, colleague, outsider):
    """Seeing a dossier, in any role, is what allows linking its person: the member already reads them."""
    holding = make_dossier(outsider, notice_number="BR.52.L1.000005/26", title="Holding", prosecutor=owner)
    person = make_suspect(holding, full_name="Marc Secret", by=outsider).person
    target = make_dossier(owner, notice_number="BR.52.L1.000006/26", title="Target", investigator=colleague)
    with pytest.raises(ValidationError):
        suspect_register(dossier=target, person=person, by=colleague)
    assert suspect_register(dossier=target, person=person, by=owner).person == person


def test_the_suspect_page_lists_only_the_other_dossiers_the_user_is_a_member_of(
    client, owner, dossier, other_dossier, foreign_person
):
    mine = make_dossier(owner, notice_number="BR.52.L1.000003/26", title="Another dossier of mine")
    here = DossierSuspect.objects.create(dossier=dossier, person=foreign_person, created_by=owner)
    DossierSuspect.objects.create(dossier=mine, person=foreign_person, created_by=owner)
    client.force_login(owner)
    page = client.get(here.get_absolute_url()).content.decode()
    assert 'data-testid="other-dossiers"' in page
    assert mine.notice_number in page  # control: a dossier of theirs is listed
    assert other_dossier.notice_number not in page and other_dossier.title not in page
    assert Person.objects.count() == 1


def test_the_service_asks_before_registering_a_lookalike_and_never_names_a_hidden_person(
    owner, dossier, other_dossier, foreign_person
):
    from cases.suspects import PossibleDuplicates

    known = make_suspect(dossier, full_name="Jan Janssens", by=owner, identifiers=[("username", "jan_j")]).person
    second = make_dossier(owner, notice_number="BR.52.L1.000003/26", title="Second")
    with pytest.raises(PossibleDuplicates) as asked:
        suspect_register(
            dossier=second, by=owner, full_name="Someone", identifiers=[("username", "jan_j")], check_duplicates=True
        )
    assert [item["person"] for item in asked.value.duplicates] == [known]
    # A person only the outsider's dossier holds is not reported: the registration goes through.
    hidden = suspect_register(
        dossier=second, by=owner, full_name="Other", identifiers=[("username", "marc_hidden")], check_duplicates=True
    )
    assert hidden.person != foreign_person
    # Control: the user said "a new person".
    new = suspect_register(dossier=second, by=owner, full_name="Someone", identifiers=[("username", "jan_j")])
    assert new.person != known and second.suspects.count() == 2
