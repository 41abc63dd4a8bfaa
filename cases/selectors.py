from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Q
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from audit.models import AuditEvent
from audit.selectors import ReadScope, audit_events_readable
from cases.models import Dossier, DossierSuspect, Membership, Person, PersonIdentifier, Search


def dossiers_visible_to(user):
    """The dossiers ``user`` is a member of; admins are no exception."""
    if not user.is_authenticated or not user.is_active:
        return Dossier.objects.none()
    return Dossier.objects.filter(memberships__user=user)


def dossier_search(*, user, query: str = "", status: str = ""):
    dossiers = dossiers_visible_to(user)
    if status:
        dossiers = dossiers.filter(status=status)
    if query:
        dossiers = dossiers.filter(Q(notice_number__icontains=query) | Q(title__icontains=query))
    return dossiers


def membership_of(user, dossier: Dossier) -> Membership | None:
    return Membership.objects.filter(dossier=dossier, user=user).first()


def dossier_for(user, pk: int, *, write: bool = False, files: bool = False) -> Dossier:
    """The dossier ``pk`` if ``user`` may see it, else 404 (hiding that it exists).

    ``write`` asks for an investigating role; ``files`` asks to see file names and hashes,
    which prosecutors (read-only, no media) do not get. Both refusals are 403.
    """
    dossier = get_object_or_404(dossiers_visible_to(user), pk=pk)
    check_dossier_role(user, dossier, write=write, files=files)
    return dossier


def check_dossier_role(user, dossier: Dossier, *, write: bool = False, files: bool = False) -> None:
    """Raise PermissionDenied unless a member with an investigating role asks to write or see files."""
    if write:
        membership = membership_of(user, dossier)
        if membership is None or not membership.can_write:
            raise PermissionDenied
    if files and not can_see_files(user, dossier):
        raise PermissionDenied


def dossiers_with_files_visible_to(user):
    """The dossiers whose file names, paths, hashes and job errors ``user`` may read.

    The one rule for "may see files": an investigating member (lead, investigator, analyst).
    Prosecutors (read-only) read totals only; admins are no exception either.
    """
    if not user.is_authenticated or not user.is_active:
        return Dossier.objects.none()
    return Dossier.objects.filter(memberships__user=user, memberships__role__in=Membership.WRITE_ROLES)


def can_see_files(user, dossier: Dossier, *, membership: Membership | None = None) -> bool:
    """Whether ``user`` may read the file names, paths, hashes, job errors and chat messages of ``dossier``.

    "Prosecutors see no files": every page, API view and report asks here (or through
    ``dossier_for(..., files=True)``), never a membership's role directly. ``membership``: the
    user's membership of ``dossier`` when the caller already holds it (saves a query).
    """
    if membership is not None and membership.user_id == user.pk and membership.dossier_id == dossier.pk:
        return user.is_active and membership.role in Membership.WRITE_ROLES
    return dossiers_with_files_visible_to(user).filter(pk=dossier.pk).exists()


def audit_scope_for(user) -> ReadScope:
    """What ``user`` may read of the audit log's dossier-bound events: the same need-to-know as the pages."""
    return ReadScope(
        dossiers=dossiers_visible_to(user).values("pk"),
        file_dossiers=dossiers_with_files_visible_to(user).values("pk"),
    )


def audit_events_for(user, events=None):
    """``events`` (default: the whole log) as ``user`` may read them; see ``audit.selectors.audit_events_readable``."""
    events = AuditEvent.objects.all() if events is None else events
    return audit_events_readable(events, scope=audit_scope_for(user))


def recent_activity_for(user, *, limit: int = 10):
    """The home page's "Recent activity": the latest events of the user's dossiers, file views left out."""
    events = AuditEvent.objects.filter(dossier__in=dossiers_visible_to(user)).exclude(action="file.view")
    return audit_events_for(user, events)[:limit]


def dossier_lead_for(user, pk: int) -> Dossier:
    """The dossier if ``user`` leads it (team management); 404 for non-members, 403 for other members."""
    dossier = get_object_or_404(dossiers_visible_to(user), pk=pk)
    membership = membership_of(user, dossier)
    if membership is None or membership.role != Membership.Role.LEAD:
        raise PermissionDenied
    return dossier


def search_for(user, pk: int, *, write: bool = False) -> Search:
    search = get_object_or_404(
        Search.objects.select_related("dossier").filter(dossier__in=dossiers_visible_to(user)), pk=pk
    )
    check_dossier_role(user, search.dossier, write=write)
    return search


def suspect_for(user, pk: int, *, write: bool = False) -> DossierSuspect:
    suspect = get_object_or_404(
        DossierSuspect.objects.select_related("dossier", "person").filter(dossier__in=dossiers_visible_to(user)),
        pk=pk,
    )
    check_dossier_role(user, suspect.dossier, write=write)
    return suspect


def persons_linkable_by(user):
    """The persons ``user`` may link to a dossier as a suspect: those already a suspect in a dossier
    ``user`` is a member of (any role). Need-to-know: a person held only by dossiers the user cannot
    see is neither offered, nor linkable, nor shown, whatever id is posted."""
    held = DossierSuspect.objects.filter(person=OuterRef("pk"), dossier__in=dossiers_visible_to(user))
    return Person.objects.filter(Exists(held))


def person_linkable_for(user, pk) -> Person | None:
    """The person ``pk`` if ``user`` may link them (``persons_linkable_by``), else None: a person who
    does not exist and one the user may not see give the same answer."""
    if not str(pk).isdigit():
        return None
    return persons_linkable_by(user).filter(pk=int(pk)).first()


def person_other_dossiers(user, suspect: DossierSuspect):
    """The other dossiers that hold this suspect's person, only those ``user`` is a member of."""
    return (
        dossiers_visible_to(user)
        .filter(suspects__person=suspect.person_id)
        .exclude(pk=suspect.dossier_id)
        .order_by("notice_number")
    )


def likely_duplicates(*, user, full_name: str, birth_date=None, identifiers=()) -> list[dict]:
    """Persons already registered who look like this one: same name and birth date, or a same identifier.

    Only persons ``user`` may link (``persons_linkable_by``) are compared, and each match lists only
    the dossiers ``user`` is a member of: a person known only in dossiers the user cannot see is not
    reported at all, since even their name, birth date or the fact that a phone number is known
    elsewhere is need-to-know.
    """
    match = Q(pk__in=[])
    if full_name.strip() and birth_date:
        match |= Q(full_name__iexact=full_name.strip(), birth_date=birth_date)
    normalized = [PersonIdentifier.normalize(kind, value) for kind, value in identifiers]
    normalized = [value for value in normalized if value]
    if normalized:
        match |= Q(identifiers__normalized__in=normalized)
    persons = persons_linkable_by(user).filter(match).distinct().prefetch_related("identifiers")[:10]
    visible = dossiers_visible_to(user)
    results = []
    for person in persons:
        links = DossierSuspect.objects.filter(person=person, dossier__in=visible).select_related("dossier")
        same_identifiers = [i for i in person.identifiers.all() if i.normalized in normalized]
        results.append(
            {
                "person": person,
                "visible_dossiers": [link.dossier for link in links],
                "on_name": bool(birth_date)
                and person.full_name.lower() == full_name.strip().lower()
                and person.birth_date == birth_date,
                "identifiers": same_identifiers,
            }
        )
    return results


TEAM_ACTIONS = ("membership.add", "membership.change", "membership.remove")


def team_events(dossier: Dossier) -> list[dict]:
    """Every change of the team, from the audit log, for the timeline: who joined, left or changed role,
    by whom, and whether it was done in the Django admin, so that no access is granted unseen."""
    roles = dict(Membership.Role.choices)
    labels = {
        "membership.add": _("%(user)s joined the team as %(role)s"),
        "membership.change": _("%(user)s is now %(role)s"),
        "membership.remove": _("%(user)s left the team"),
    }
    events = []
    for event in AuditEvent.objects.filter(dossier=dossier, action__in=TEAM_ACTIONS).order_by("at", "id"):
        role = event.detail.get("role", "")
        via_admin = event.detail.get("via") == "admin"
        events.append(
            {
                "at": event.at,
                "kind": "team",
                "label": labels[event.action] % {"user": event.detail.get("user", ""), "role": roles.get(role, role)},
                "detail": _("Done by an administrator in the Django admin.") if via_admin else "",
                "by": event.actor_name,
            }
        )
    return events


def team_of(dossier: Dossier) -> list[Membership]:
    """The team table: each membership with ``granted_by``, the administrator who added them in the
    Django admin (the last time they were added), or ""."""
    grants = _team_admin_grants(dossier)
    team = list(dossier.memberships.select_related("user").order_by("role", "user__username"))
    for membership in team:
        membership.granted_by = grants.get(membership.user.get_username(), "")
    return team


def _team_admin_grants(dossier: Dossier) -> dict[str, str]:
    grants = {}
    for event in AuditEvent.objects.filter(dossier=dossier, action="membership.add").order_by("at", "id"):
        user = event.detail.get("user", "")
        if event.detail.get("via") == "admin":
            grants[user] = event.actor_name
        else:
            grants.pop(user, None)
    return grants


def dossier_audit_events(user, dossier: Dossier):
    """The dossier's audit tab, as ``user`` may read it."""
    return audit_events_for(user, AuditEvent.objects.filter(dossier=dossier))
