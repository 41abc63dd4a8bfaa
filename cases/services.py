import datetime

from django.db import transaction

from audit.services import audit_record
from cases.models import Dossier, Membership


@transaction.atomic
def dossier_create(
    *, notice_number: str, title: str, opened_on: datetime.date, by, prosecutor=None, ip: str | None = None
) -> Dossier:
    """Open a dossier; its creator becomes the lead investigator, the prosecutor a reader."""
    dossier = Dossier.objects.create(notice_number=notice_number, title=title, opened_on=opened_on, created_by=by)
    audit_record(actor=by, action="dossier.create", target=dossier, ip=ip)
    membership_add(dossier=dossier, user=by, role=Membership.Role.LEAD, by=by, ip=ip)
    if prosecutor is not None and prosecutor != by:
        membership_add(dossier=dossier, user=prosecutor, role=Membership.Role.PROSECUTOR, by=by, ip=ip)
    return dossier


@transaction.atomic
def membership_add(*, dossier: Dossier, user, role: str, by, ip: str | None = None) -> Membership:
    membership, _ = Membership.objects.update_or_create(dossier=dossier, user=user, defaults={"role": role})
    audit_record(actor=by, action="membership.add", target=membership, ip=ip, user=user.get_username(), role=role)
    return membership
