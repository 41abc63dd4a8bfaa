"""The periodic check of the audit chain (Celery beat, AUDIT_VERIFY_SECONDS): its result is an
audit event of its own, a Prometheus gauge (scelle.operations), and a line on the `scelle.audit`
logger naming the chain's head, which deploy/ sends to the journal or syslog: a copy of the head
outside the database, that `audit_verify --heads-from` checks a cut tail against."""

import logging
import re

from audit.models import AuditEvent
from audit.selectors import audit_chain_problems
from audit.services import audit_record

ACTION = "audit.verify"
logger = logging.getLogger("scelle.audit")
# One logged head: read back by heads_in() whatever the log adds around it (time, host, unit).
HEAD_LINE = "audit chain head event={event} hash={hash} verified={verified}"
HEAD_PATTERN = re.compile(r"audit chain head event=(\d+) hash=([0-9a-f]{64})")


def audit_chain_check() -> AuditEvent:
    """Recompute the whole chain and record the result (head checked, problems found, first 20).

    The head then logged is the event just recorded: the newest, so the log keeps the whole chain.
    """
    problems = audit_chain_problems()
    head = AuditEvent.objects.order_by("-id").first()
    event = audit_record(
        actor=None,
        action=ACTION,
        verified=not problems,
        problems=len(problems),
        first_problems=problems[:20],
        head_event=head.pk if head else None,
        head=head.row_hash_hex if head else "",
    )
    audit_head_log(event, verified=not problems)
    return event


def audit_head_log(event: AuditEvent, *, verified: bool) -> None:
    line = HEAD_LINE.format(event=event.pk, hash=event.row_hash_hex, verified="yes" if verified else "no")
    if verified:
        logger.info(line)
    else:
        logger.error(line)


def heads_in(lines) -> list[tuple[int, str]]:
    """The (event id, hash in hex) pairs logged by ``audit_head_log`` in ``lines`` of any log."""
    return [(int(found[1]), found[2]) for line in lines if (found := HEAD_PATTERN.search(line))]


def last_audit_chain_check() -> AuditEvent | None:
    return AuditEvent.objects.filter(action=ACTION).order_by("-id").first()
