"""The people of a dossier: the searches made and the suspects found, each person linked to a
dossier only by someone who sees a dossier holding them (``cases.selectors.persons_linkable_by``)."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from audit.services import audit_record
from cases.models import Dossier, DossierSuspect, Person, PersonIdentifier, Search, SuspectStatusChange
from cases.selectors import likely_duplicates, persons_linkable_by

PERSON_NOT_LINKABLE = gettext_lazy(
    "This person cannot be linked: only a person who is already a suspect in a dossier you are a member of"
    " can be. Register the suspect as a new person instead."
)


@transaction.atomic
def search_register(
    *,
    dossier: Dossier,
    address: str,
    started_at: datetime.datetime,
    warrant_reference: str,
    warrant_judge: str,
    officers_present: str,
    outcome: str = "",
    by,
    ip: str | None = None,
) -> Search:
    search = Search.objects.create(
        dossier=dossier,
        address=address,
        started_at=started_at,
        warrant_reference=warrant_reference,
        warrant_judge=warrant_judge,
        officers_present=officers_present,
        outcome=outcome,
        created_by=by,
    )
    audit_record(actor=by, action="search.register", target=search, ip=ip)
    return search


class PossibleDuplicates(Exception):
    """A new person looks like persons already registered: the user says whether one of them is this one."""

    def __init__(self, duplicates: list[dict]):
        super().__init__(f"{len(duplicates)} possible duplicates")
        self.duplicates = duplicates


@transaction.atomic
def suspect_register(
    *,
    dossier: Dossier,
    by,
    person: Person | None = None,
    check_duplicates: bool = False,
    full_name: str = "",
    aliases: str = "",
    birth_date: datetime.date | None = None,
    nationality: str = "",
    national_number: str = "",
    identifiers: list[tuple[str, str]] = (),
    status: str = DossierSuspect.Status.IDENTIFIED,
    searches=(),
    ip: str | None = None,
) -> DossierSuspect:
    """Link a person to the dossier as a suspect: an existing ``person`` (already known in another
    dossier), or a new one built from the other fields. New identifiers are added to the person.

    An existing person may be linked only if ``by`` is a member of a dossier that already holds them
    (``persons_linkable_by``); otherwise ValidationError, with the same words whether the person
    exists or not, so that nothing of another dossier leaks.

    ``check_duplicates``: before a new person is created, raise PossibleDuplicates if persons ``by``
    may link look like them (``cases.selectors.likely_duplicates``); the caller then asks the user
    and registers again with the chosen ``person``, or with ``check_duplicates=False`` for a new one.
    """
    if person is None and check_duplicates:
        identifiers = list(identifiers)
        duplicates = likely_duplicates(user=by, full_name=full_name, birth_date=birth_date, identifiers=identifiers)
        if duplicates:
            raise PossibleDuplicates(duplicates)
    if person is not None and not persons_linkable_by(by).filter(pk=person.pk).exists():
        raise ValidationError(PERSON_NOT_LINKABLE)
    if person is None:
        person = Person.objects.create(
            full_name=full_name.strip(),
            aliases=aliases,
            birth_date=birth_date,
            nationality=nationality,
            national_number=national_number,
            created_by=by,
        )
    elif DossierSuspect.objects.filter(dossier=dossier, person=person).exists():
        raise ValidationError(_("This person is already a suspect in this dossier."))
    known = set(person.identifiers.values_list("kind", "normalized"))
    for kind, value in identifiers:
        normalized = PersonIdentifier.normalize(kind, value)
        if normalized and (kind, normalized) not in known:
            PersonIdentifier.objects.create(person=person, kind=kind, value=value.strip(), normalized=normalized)
            known.add((kind, normalized))
    suspect = DossierSuspect.objects.create(dossier=dossier, person=person, status=status, created_by=by)
    if searches:
        suspect.searches.set(searches)
    SuspectStatusChange.objects.create(suspect=suspect, from_status="", to_status=status, by=by)
    audit_record(actor=by, action="suspect.register", target=suspect, ip=ip, person=person.pk, status=status)
    return suspect


@transaction.atomic
def suspect_status_change(
    *, suspect: DossierSuspect, to_status: str, note: str = "", by, ip: str | None = None
) -> DossierSuspect:
    if to_status not in DossierSuspect.Status.values:
        raise ValidationError(_("This is not a suspect status."))
    if to_status == suspect.status:
        raise ValidationError(_("The suspect already has this status."))
    SuspectStatusChange.objects.create(
        suspect=suspect, from_status=suspect.status, to_status=to_status, note=note, by=by, at=timezone.now()
    )
    previous, suspect.status = suspect.status, to_status
    suspect.save(update_fields=["status"])
    audit_record(actor=by, action="suspect.status", target=suspect, ip=ip, from_status=previous, to_status=to_status)
    return suspect
