import secrets
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from api.credentials import password_digest, second_factors
from api.models import ApiToken
from audit.services import audit_record

TOKEN_PREFIX = "sc_"  # noqa: S105 - a marker that makes a leaked token recognisable, not a secret


@transaction.atomic
def api_token_create(*, user, name: str, days: int | None = None, ip: str | None = None) -> tuple[ApiToken, str]:
    """Create a token for ``user``; return it and its key, which is never stored and shown only once.

    It expires after ``days`` (at most, and by default, API_TOKEN_DAYS) and holds only while the
    user keeps the password and second factors they have now (api.credentials). The caller has
    checked a recent second factor (step-up): the page does.
    """
    days = min(days or settings.API_TOKEN_DAYS, settings.API_TOKEN_DAYS)
    key = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        name=name.strip()[:100],
        prefix=key[:10],
        digest=ApiToken.digest_of(key),
        expires_at=timezone.now() + timedelta(days=days),
        password_digest=password_digest(user),
        second_factors=second_factors(user),
    )
    audit_record(
        actor=user, action="api_token.create", target=token, ip=ip, name=token.name, expires_at=token.expires_at
    )
    return token, key


@transaction.atomic
def api_token_revoke(*, token: ApiToken, by, ip: str | None = None, reason: str = "") -> ApiToken:
    """Revoke a token (idempotent); the row stays, so the audit log's target keeps its meaning."""
    token = ApiToken.objects.select_for_update().get(pk=token.pk)
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        detail = {"reason": reason} if reason else {}
        audit_record(actor=by, action="api_token.revoke", target=token, ip=ip, name=token.name, **detail)
    return token


@transaction.atomic
def api_tokens_revoke_all(*, user, by, reason: str, ip: str | None = None) -> int:
    """Revoke every live token of ``user`` (the account was disabled); return how many."""
    tokens = list(ApiToken.objects.filter(user=user, revoked_at__isnull=True))
    for token in tokens:
        api_token_revoke(token=token, by=by, ip=ip, reason=reason)
    return len(tokens)
