from django import template

from accounts.welfare import team_exposure
from evidence.models import EvidenceFile
from evidence.triage.selectors import rematch_notices_for

register = template.Library()


# The badge on every dossier page counts at most this many: beyond, it says "10000+", so that a
# dossier of a million new images does not count them on each click (the review page has the rest).
REVIEW_BADGE_CAP = 10_000


@register.simple_tag
def to_review_count(dossier, exhibit=None) -> int | str:
    """Files of the dossier (or exhibit) that still need a reviewer's eyes (capped)."""
    files = EvidenceFile.objects.filter(exhibit__dossier=dossier)
    if exhibit is not None:
        files = files.filter(exhibit=exhibit)
    # No order: PostgreSQL then stops at the cap instead of sorting every match by path first.
    count = files.to_review().order_by()[: REVIEW_BADGE_CAP + 1].count()
    return f"{REVIEW_BADGE_CAP}+" if count > REVIEW_BADGE_CAP else count


@register.simple_tag
def exposure_of_team(memberships) -> dict:
    """For the team lead: {user id: {"today": n, "week": n}} of images revealed."""
    return team_exposure([membership.user_id for membership in memberships])


@register.filter
def exposure_for(exposure: dict, user_id) -> dict:
    return exposure.get(user_id, {"today": 0, "week": 0})


@register.inclusion_tag("hashing/_rematch_notices.html", takes_context=True)
def rematch_notices(context, dossier):
    """The dossier's re-match notices the viewer has not dismissed. Used on pages already scoped to members."""
    request = context["request"]
    return {"notices": list(rematch_notices_for(request.user, dossier)), "request": request}
