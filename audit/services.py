from audit.models import AuditEvent


def audit_record(*, actor, action: str, target=None, dossier=None, ip: str | None = None, **detail) -> AuditEvent:
    """Append one event. ``target`` is any model instance (or None); ``detail`` must be JSON-serialisable."""
    if dossier is None and target is not None:
        dossier = getattr(target, "audit_dossier", None)
    is_user = actor is not None and getattr(actor, "is_authenticated", False)
    return AuditEvent.objects.create(
        actor=actor if is_user else None,
        actor_name=actor.get_username() if is_user else "",
        action=action,
        target_type=target._meta.label_lower if target is not None else "",
        target_id=str(target.pk) if target is not None else "",
        target_label=str(target)[:255] if target is not None else "",
        dossier=dossier,
        ip=ip,
        detail=detail,
    )


def client_ip(request) -> str | None:
    return request.META.get("REMOTE_ADDR") or None
