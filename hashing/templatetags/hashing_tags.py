from django import template

from hashing.selectors import rematch_notices_for

register = template.Library()


@register.inclusion_tag("hashing/_rematch_notices.html", takes_context=True)
def rematch_notices(context, dossier):
    """The dossier's re-match notices the viewer has not dismissed. Used on pages already scoped to members."""
    request = context["request"]
    return {"notices": list(rematch_notices_for(request.user, dossier)), "request": request}
