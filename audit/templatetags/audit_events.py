from django import template

from audit.selectors import event_detail_shown

register = template.Library()


@register.filter
def detail_shown(event) -> dict:
    """An event's detail as its viewer may read it (``audit.selectors.event_detail_shown``)."""
    return event_detail_shown(event)
