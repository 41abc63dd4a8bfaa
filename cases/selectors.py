from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.shortcuts import get_object_or_404

from cases.models import Dossier, Membership


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
    if write or files:
        membership = membership_of(user, dossier)
        if membership is None or not membership.can_write:
            raise PermissionDenied
