"""Re-chain the existing events with the key (HMAC-SHA256, settings.AUDIT_CHAIN_KEY).

Why re-chain rather than keep the plain SHA-256 rows as they are behind a boundary: anyone with the
database's rights can recompute a plain chain, so rows left under it would stay rewritable for ever
and would have to be read under two rules. The plain chain is verified first and its head recorded
in an `audit.chain_rekeyed` event (itself keyed) and in the application log (`scelle.audit`), so
that a head copied off the machine before the upgrade still proves the events up to it: a rewrite
made before this migration shows as a plain chain that does not verify here, or as an old head that
differs from the one kept. The problems found (if any) are recorded, not hidden by the re-chaining.
"""

import json
import logging

from django.conf import settings
from django.db import migrations
from django.utils import timezone

from audit.chain import FIELDS, GENESIS, chain_hash, unkeyed_chain_hash

logger = logging.getLogger("scelle.audit")


def plain_chain_problems(events) -> list[str]:
    problems, expected = [], GENESIS
    for event in events:
        previous, row_hash = bytes(event.previous_hash), bytes(event.row_hash)
        if previous != expected:
            problems.append(f"event {event.pk}: its link does not match the event before it")
        if unkeyed_chain_hash(previous, fields(event)) != row_hash:
            problems.append(f"event {event.pk}: its content does not match its hash")
        expected = row_hash
    return problems


def fields(event) -> dict:
    return {name: getattr(event, name) for name in FIELDS}


def rechain(apps, schema_editor):
    AuditEvent = apps.get_model("audit", "AuditEvent")
    events = AuditEvent.objects.using(schema_editor.connection.alias).order_by("id")
    old_head = events.last()
    if old_head is None:
        return
    key = settings.AUDIT_CHAIN_KEY.encode()
    problems = plain_chain_problems(events.iterator(chunk_size=5000))
    postgres = schema_editor.connection.vendor == "postgresql"
    if postgres:
        schema_editor.execute("ALTER TABLE audit_auditevent DISABLE TRIGGER audit_append_only")
    previous = GENESIS
    for event in events.iterator(chunk_size=5000):
        row_hash = chain_hash(previous, fields(event), key=key)
        events.filter(pk=event.pk).update(previous_hash=previous, row_hash=row_hash)
        previous = row_hash
    if postgres:
        schema_editor.execute("ALTER TABLE audit_auditevent ENABLE TRIGGER audit_append_only")
    detail = {
        "old_head_event": old_head.pk,
        "old_head": bytes(old_head.row_hash).hex(),
        "old_chain_verified": not problems,
        "old_chain_problems": len(problems),
        "first_old_chain_problems": problems[:20],
        "events_rechained": events.count(),
    }
    marker = AuditEvent(
        at=timezone.now(),
        action="audit.chain_rekeyed",
        target_type="",
        target_id="",
        target_label="",
        actor_name="",
        detail=json.loads(json.dumps(detail)),
        previous_hash=previous,
    )
    marker.row_hash = chain_hash(previous, fields(marker), key=key)
    marker.save(using=schema_editor.connection.alias)
    # The new head in the form the periodic check logs (audit/checks.py), then the old one.
    logger.warning(
        "audit chain head event=%s hash=%s verified=yes (re-keyed; the plain SHA-256 chain ended at"
        " event %s, %s, verified=%s)",
        marker.pk,
        bytes(marker.row_hash).hex(),
        old_head.pk,
        detail["old_head"],
        "yes" if not problems else "no",
    )


class Migration(migrations.Migration):
    dependencies = [("audit", "0003_hash_chain")]
    operations = [migrations.RunPython(rechain, migrations.RunPython.noop)]
