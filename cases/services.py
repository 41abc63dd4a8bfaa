"""Dossiers and their teams: opening, details, the status workflow, memberships. The searches and
suspects of a dossier are in ``cases.suspects``."""

import datetime
import re

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.roles import ADMIN, has_role
from audit.services import audit_record
from cases import workflow
from cases.models import Dossier, DossierStatusChange, Membership


def notice_number_check(notice_number: str) -> str:
    """The notice number as it is stored (trimmed, upper case), if it has the prosecutor's format
    (DOSSIER_NOTICE_PATTERN) and no dossier has it yet; else ValidationError.

    Unique across the whole system; the refusal says nothing of the other dossier's content.
    """
    value = notice_number.strip().upper()
    if not re.fullmatch(settings.DOSSIER_NOTICE_PATTERN, value):
        raise ValidationError(
            _("A notice number looks like %(example)s."),
            code="notice_number_format",
            params={"example": settings.DOSSIER_NOTICE_EXAMPLE},
        )
    if Dossier.objects.filter(notice_number=value).exists():
        raise ValidationError(_("A dossier with this notice number already exists."), code="notice_number_taken")
    return value


@transaction.atomic
def dossier_create(
    *,
    notice_number: str,
    title: str,
    opened_on: datetime.date,
    by,
    prosecutor=None,
    judge_name: str = "",
    judge_court: str = "",
    ip: str | None = None,
) -> Dossier:
    """Open a dossier; its creator becomes the lead investigator, the prosecutor a reader.

    Raises ValidationError (on ``notice_number``) for a notice number that ``notice_number_check`` refuses.
    """
    try:
        notice_number = notice_number_check(notice_number)
    except ValidationError as error:
        raise ValidationError({"notice_number": error}) from None
    dossier = Dossier.objects.create(
        notice_number=notice_number,
        title=title,
        opened_on=opened_on,
        prosecutor=prosecutor,
        judge_name=judge_name,
        judge_court=judge_court,
        created_by=by,
    )
    audit_record(actor=by, action="dossier.create", target=dossier, ip=ip)
    _membership_create(dossier=dossier, user=by, role=Membership.Role.LEAD, by=by, ip=ip)
    if prosecutor is not None and prosecutor != by:
        _membership_create(dossier=dossier, user=prosecutor, role=Membership.Role.PROSECUTOR, by=by, ip=ip)
    return dossier


DETAILS = ("title", "prosecutor", "judge_name", "judge_court")


@transaction.atomic
def dossier_update_details(
    *, dossier: Dossier, by, ip: str | None = None, via_admin: bool = False, **fields
) -> Dossier:
    """Change the title, prosecutor or judge; the audit event keeps each value before and after.

    A new prosecutor becomes a reader of the dossier, so only the lead (or, with ``via_admin``, an
    administrator in the Django admin) may change the prosecutor: anyone else gets ValidationError.
    The previous prosecutor keeps their membership until the lead removes it. The notice number,
    the status and the four-eyes rule are not details: each has its own service.
    """
    unknown = set(fields) - set(DETAILS)
    if unknown:
        raise ValueError(f"Not a dossier detail: {', '.join(sorted(unknown))}")
    if via_admin and not has_role(by, ADMIN):
        raise PermissionDenied
    if "prosecutor" in fields and fields["prosecutor"] != dossier.prosecutor:
        if via_admin:
            _require_admin_for_another(fields["prosecutor"], by)
        elif not Membership.objects.filter(dossier=dossier, user=by, role=Membership.Role.LEAD).exists():
            raise ValidationError(
                _("Only the lead investigator can change the prosecutor: it gives access to the dossier.")
            )
    changes = {}
    for name, value in fields.items():
        before = getattr(dossier, name)
        if before != value:
            changes[name] = [str(before or ""), str(value or "")]
            setattr(dossier, name, value)
    if not changes:
        return dossier
    dossier.save(update_fields=list(changes))
    detail = {"via": "admin"} if via_admin else {}
    audit_record(actor=by, action="dossier.change", target=dossier, ip=ip, changes=changes, **detail)
    prosecutor = fields.get("prosecutor")
    if "prosecutor" in changes and prosecutor is not None and not dossier.memberships.filter(user=prosecutor).exists():
        _membership_create(dossier=dossier, user=prosecutor, role=Membership.Role.PROSECUTOR, by=by, ip=ip, **detail)
    return dossier


def _status_error_message(code: str, current: str, new: str) -> str:
    labels = dict(Dossier.Status.choices)
    if code == "same":
        return _("The dossier is already %(status)s.") % {"status": labels.get(current, current)}
    if code == "unknown":
        return _("This is not a dossier status.")
    allowed = ", ".join(str(labels[s]) for s in workflow.next_statuses(current)) or "—"
    return _("A dossier cannot go from %(current)s to %(new)s; from %(current)s it can go to: %(allowed)s.") % {
        "current": labels.get(current, current),
        "new": labels.get(new, new),
        "allowed": allowed,
    }


@transaction.atomic
def dossier_status_change(*, dossier: Dossier, to_status: str, reason: str, by, ip: str | None = None) -> Dossier:
    """Move the dossier along the workflow (cases.workflow), recording who, when and why.

    Raises ValidationError with a readable message for an impossible transition or an empty reason.
    """
    dossier = Dossier.objects.select_for_update().get(pk=dossier.pk)
    code = workflow.transition_error(dossier.status, to_status)
    if code:
        raise ValidationError(_status_error_message(code, dossier.status, to_status))
    if not reason.strip():
        raise ValidationError(_("Give the reason for this change of status."))
    change = DossierStatusChange.objects.create(
        dossier=dossier, from_status=dossier.status, to_status=to_status, reason=reason.strip(), by=by
    )
    dossier.status = to_status
    dossier.save(update_fields=["status"])
    action = "dossier.reopen" if change.from_status == Dossier.Status.CLOSED else "dossier.status"
    audit_record(actor=by, action=action, target=dossier, ip=ip, from_status=change.from_status, to_status=to_status)
    return dossier


def _require_lead(dossier: Dossier, by) -> None:
    """The team of a dossier is its lead's to manage (in the app); anyone else is refused."""
    if not Membership.objects.filter(dossier=dossier, user=by, role=Membership.Role.LEAD).exists():
        raise PermissionDenied


def _require_admin_for_another(user, by) -> None:
    if not has_role(by, ADMIN):
        raise PermissionDenied
    membership_admin_check(user=user, by=by)


def membership_admin_check(*, user, by, membership: Membership | None = None, role: str = "") -> None:
    """The rules of a membership change made in the Django admin (its form asks before saving, the
    services again): an administrator manages other people's memberships, never their own (an admin
    who wants to read a dossier asks its lead or another admin, so that it shows), and a dossier
    keeps a lead. Raises ValidationError with a readable message."""
    if user is not None and user == by:
        raise ValidationError(
            _("You cannot add yourself to a dossier or change your own role: ask its lead or another administrator.")
        )
    if membership is not None and membership.pk is not None and role and role != Membership.Role.LEAD:
        _refuse_losing_the_last_lead(membership)


def _membership_create(*, dossier: Dossier, user, role: str, by, ip: str | None, **detail) -> Membership:
    if role not in Membership.Role.values:
        raise ValidationError(_("This is not a role."))
    if Membership.objects.filter(dossier=dossier, user=user).exists():
        raise ValidationError(_("%(user)s is already a member of this dossier.") % {"user": user.get_username()})
    membership = Membership.objects.create(dossier=dossier, user=user, role=role)
    audit_record(
        actor=by, action="membership.add", target=membership, ip=ip, user=user.get_username(), role=role, **detail
    )
    return membership


def _membership_set_role(*, membership: Membership, role: str, by, ip: str | None, **detail) -> Membership:
    if role not in Membership.Role.values:
        raise ValidationError(_("This is not a role."))
    if role == membership.role:
        return membership
    if role != Membership.Role.LEAD:
        _refuse_losing_the_last_lead(membership)
    previous = membership.role
    membership.role = role
    membership.save(update_fields=["role"])
    audit_record(
        actor=by,
        action="membership.change",
        target=membership,
        ip=ip,
        user=membership.user.get_username(),
        from_role=previous,
        role=role,
        **detail,
    )
    return membership


def _membership_delete(*, membership: Membership, by, ip: str | None, **detail) -> None:
    _refuse_losing_the_last_lead(membership)
    audit_record(
        actor=by,
        action="membership.remove",
        target=membership.dossier,
        ip=ip,
        user=membership.user.get_username(),
        role=membership.role,
        **detail,
    )
    membership.delete()


def _refuse_losing_the_last_lead(membership: Membership) -> None:
    if membership.role != Membership.Role.LEAD:
        return
    others = Membership.objects.filter(dossier=membership.dossier_id, role=Membership.Role.LEAD).exclude(
        pk=membership.pk
    )
    if not others.exists():
        raise ValidationError(_("A dossier keeps at least one lead investigator: name another lead first."))


@transaction.atomic
def membership_add(*, dossier: Dossier, user, role: str, by, ip: str | None = None) -> Membership:
    """The lead adds ``user`` to the team. PermissionDenied unless ``by`` leads the dossier;
    ValidationError for an unknown role or someone already a member."""
    _require_lead(dossier, by)
    return _membership_create(dossier=dossier, user=user, role=role, by=by, ip=ip)


@transaction.atomic
def membership_change_role(*, membership: Membership, role: str, by, ip: str | None = None) -> Membership:
    """The lead changes a member's role; a dossier never loses its last lead."""
    _require_lead(membership.dossier, by)
    return _membership_set_role(membership=membership, role=role, by=by, ip=ip)


@transaction.atomic
def membership_remove(*, membership: Membership, by, ip: str | None = None) -> None:
    """The lead removes a member; a dossier never loses its last lead."""
    _require_lead(membership.dossier, by)
    _membership_delete(membership=membership, by=by, ip=ip)


@transaction.atomic
def membership_add_by_admin(*, dossier: Dossier, user, role: str, by, ip: str | None = None) -> Membership:
    """An administrator (Django admin) adds someone else to a dossier. Audited with ``via="admin"``,
    and shown to the dossier's members on its timeline (``dossier_timeline``)."""
    _require_admin_for_another(user, by)
    return _membership_create(dossier=dossier, user=user, role=role, by=by, ip=ip, via="admin")


@transaction.atomic
def membership_change_role_by_admin(*, membership: Membership, role: str, by, ip: str | None = None) -> Membership:
    _require_admin_for_another(membership.user, by)
    return _membership_set_role(membership=membership, role=role, by=by, ip=ip, via="admin")


@transaction.atomic
def membership_remove_by_admin(*, membership: Membership, by, ip: str | None = None) -> None:
    """An administrator removes a member (their own membership too: leaving is never hidden access)."""
    if not has_role(by, ADMIN):
        raise PermissionDenied
    _membership_delete(membership=membership, by=by, ip=ip, via="admin")
