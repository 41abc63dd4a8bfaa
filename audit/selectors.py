from django.db.models import Q

from audit.models import AuditEvent


def audit_events_search(*, query: str = "", action: str = ""):
    events = AuditEvent.objects.all()
    if action:
        events = events.filter(action__startswith=action)
    if query:
        events = events.filter(
            Q(actor_name__icontains=query) | Q(target_label__icontains=query) | Q(action__icontains=query)
        )
    return events
