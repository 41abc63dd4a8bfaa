from django import template

from accounts.welfare import team_exposure
from evidence.models import EvidenceFile

register = template.Library()


@register.simple_tag
def to_review_count(dossier, exhibit=None) -> int:
    """Files of the dossier (or exhibit) that still need a reviewer's eyes."""
    files = EvidenceFile.objects.filter(exhibit__dossier=dossier)
    if exhibit is not None:
        files = files.filter(exhibit=exhibit)
    return files.to_review().count()


@register.simple_tag
def exposure_of_team(memberships) -> dict:
    """For the team lead: {user id: {"today": n, "week": n}} of images revealed."""
    return team_exposure([membership.user_id for membership in memberships])


@register.filter
def exposure_for(exposure: dict, user_id) -> dict:
    return exposure.get(user_id, {"today": 0, "week": 0})
