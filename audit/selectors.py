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


def audit_chain_head() -> AuditEvent | None:
    return AuditEvent.objects.order_by("-id").first()


def audit_chain_rows():
    """Every event in chain order, as the verifier reads it."""
    for event in AuditEvent.objects.order_by("id").iterator(chunk_size=5000):
        yield event.pk, event.previous_hash, event.row_hash, event.chain_fields()
