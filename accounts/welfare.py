"""Reviewer welfare: how blurred thumbnails are, and how many images each person has revealed.

Reveals are counted from the audit log (``media.reveal`` events), which is the record that
cannot be edited; the per-session count is kept in the session, started at the first reveal.
"""

from datetime import timedelta

from django.db.models import Count, Q
from django.utils import timezone

from accounts.models import ReviewerSettings
from audit.models import AuditEvent
from audit.services import audit_record

REVEAL = "media.reveal"
SESSION_KEY = "reveals_this_session"


def blur_radius_for(user) -> int:
    settings = ReviewerSettings.objects.filter(user=user).first() if user.is_authenticated else None
    return settings.blur_radius if settings else ReviewerSettings.Blur.STRONG


def reviewer_settings_update(*, user, blur_radius: int, ip: str | None = None) -> ReviewerSettings:
    settings, _ = ReviewerSettings.objects.update_or_create(user=user, defaults={"blur_radius": blur_radius})
    audit_record(actor=user, action="welfare.blur", target=settings, ip=ip, blur_radius=blur_radius)
    return settings


def reveal_counted(session) -> None:
    session[SESSION_KEY] = session.get(SESSION_KEY, 0) + 1


def _start_of_today():
    return timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)


def exposure_of(user, session) -> dict:
    """Images ``user`` revealed in this session, today (local time) and over the last seven days."""
    today = _start_of_today()
    counts = AuditEvent.objects.filter(actor=user, action=REVEAL, at__gte=today - timedelta(days=6)).aggregate(
        today=Count("id", filter=Q(at__gte=today)), week=Count("id")
    )
    return {"session": session.get(SESSION_KEY, 0), **counts}


def team_exposure(users) -> dict[int, dict]:
    """For a team lead: reveals of each of ``users`` today and over the last seven days (all dossiers)."""
    today = _start_of_today()
    rows = (
        AuditEvent.objects.filter(actor__in=users, action=REVEAL, at__gte=today - timedelta(days=6))
        .values("actor")
        .annotate(today=Count("id", filter=Q(at__gte=today)), week=Count("id"))
    )
    return {row["actor"]: {"today": row["today"], "week": row["week"]} for row in rows}
