import secrets

from django.db import transaction
from django.utils import timezone

from api.models import ApiToken
from audit.services import audit_record

TOKEN_PREFIX = "sc_"  # noqa: S105 - a marker that makes a leaked token recognisable, not a secret


@transaction.atomic
def api_token_create(*, user, name: str, ip: str | None = None) -> tuple[ApiToken, str]:
    """Create a token for ``user``; return it and its key, which is never stored and shown only once."""
    key = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(user=user, name=name.strip()[:100], prefix=key[:10], digest=ApiToken.digest_of(key))
    audit_record(actor=user, action="api_token.create", target=token, ip=ip, name=token.name)
    return token, key


@transaction.atomic
def api_token_revoke(*, token: ApiToken, by, ip: str | None = None) -> ApiToken:
    """Revoke a token (idempotent); the row stays, so the audit log's target keeps its meaning."""
    token = ApiToken.objects.select_for_update().get(pk=token.pk)
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit_record(actor=by, action="api_token.revoke", target=token, ip=ip, name=token.name)
    return token
