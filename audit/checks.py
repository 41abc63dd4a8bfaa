"""The periodic check of the audit chain (Celery beat, AUDIT_VERIFY_SECONDS): its result is an
audit event of its own, and a Prometheus gauge (config.operations)."""

from audit.chain import verify
from audit.models import AuditEvent
from audit.selectors import audit_chain_head, audit_chain_rows
from audit.services import audit_record

ACTION = "audit.verify"


def audit_chain_check() -> AuditEvent:
    """Recompute the whole chain and record the result (head checked, problems found, first 20)."""
    problems = verify(audit_chain_rows())
    head = audit_chain_head()
    return audit_record(
        actor=None,
        action=ACTION,
        verified=not problems,
        problems=len(problems),
        first_problems=problems[:20],
        head_event=head.pk if head else None,
        head=head.row_hash_hex if head else "",
    )


def last_audit_chain_check() -> AuditEvent | None:
    return AuditEvent.objects.filter(action=ACTION).order_by("-id").first()
