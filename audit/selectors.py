from django.conf import settings
from django.db.models import Q

from audit.chain import verify
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


def audit_chain_key() -> bytes:
    """The chain's HMAC key (settings.AUDIT_CHAIN_KEY): kept in the environment, never in the database."""
    return settings.AUDIT_CHAIN_KEY.encode()


def audit_chain_problems() -> list[str]:
    """The whole chain recomputed with the key: what is wrong, in words (empty: it verifies)."""
    return verify(audit_chain_rows(), key=audit_chain_key())
