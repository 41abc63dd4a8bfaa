import json

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction
from django.utils import timezone

from audit.chain import GENESIS, chain_hash
from audit.models import AuditEvent
from audit.selectors import audit_chain_key
from config.proxies import client_address

# Any constant: PostgreSQL advisory lock that orders the audit chain across processes.
CHAIN_LOCK = 0x5CE11E


def audit_record(*, actor, action: str, target=None, dossier=None, ip: str | None = None, **detail) -> AuditEvent:
    """Append one event. ``target`` is any model instance (or None); ``detail`` must be JSON-serialisable."""
    if dossier is None and target is not None:
        dossier = getattr(target, "audit_dossier", None)
    is_user = actor is not None and getattr(actor, "is_authenticated", False)
    event = AuditEvent(
        at=timezone.now(),
        actor=actor if is_user else None,
        actor_name=actor.get_username()[:150] if is_user else "",
        action=action[:64],
        target_type=target._meta.label_lower if target is not None else "",
        target_id=str(target.pk)[:64] if target is not None else "",
        target_label=str(target)[:255] if target is not None else "",
        dossier=dossier,
        ip=ip,
        # Hashed as it will read back from the database.
        detail=json.loads(json.dumps(detail, cls=DjangoJSONEncoder)),
    )
    with transaction.atomic():
        _lock_chain()
        event.previous_hash = AuditEvent.objects.order_by("-id").values_list("row_hash", flat=True).first() or GENESIS
        event.previous_hash = bytes(event.previous_hash)
        event.row_hash = chain_hash(event.previous_hash, event.chain_fields(), key=audit_chain_key())
        event.save(force_insert=True)
    return event


def _lock_chain() -> None:
    """Serialise chain appends until the transaction ends (SQLite's IMMEDIATE transactions already do)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [CHAIN_LOCK])


def client_ip(request) -> str | None:
    """The address an event records: the client's, read through TRUSTED_PROXIES (config/proxies.py)."""
    return client_address(request)
