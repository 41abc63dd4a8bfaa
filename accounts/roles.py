"""Roles are Django groups; what a role may do inside a dossier is decided by memberships."""

from django.contrib.auth.models import Group

INVESTIGATOR = "investigator"
PROSECUTOR = "prosecutor"
ADMIN = "admin"
ROLES = (INVESTIGATOR, PROSECUTOR, ADMIN)


def has_role(user, role: str) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    if role == ADMIN and user.is_superuser:
        return True
    return user.groups.filter(name=role).exists()


def ensure_role_groups() -> None:
    for role in ROLES:
        Group.objects.get_or_create(name=role)
