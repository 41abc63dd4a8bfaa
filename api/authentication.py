"""Token authentication: ``Authorization: Token <key>`` (or ``Bearer <key>``), checked against a SHA-256.

A token is refused once revoked, expired (API_TOKEN_DAYS at most), when its user is disabled, and
when its user's password or second factors changed since it was made (api.credentials).

API views authenticate with tokens only, never with the session cookie: a browser's session (with
or without its second factor) opens nothing under /api/v1/, and there is no CSRF question.
"""

from datetime import timedelta

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from api.credentials import credentials_hold
from api.models import ApiToken

# last_used_at is a hint for the user, not an audit trail: written at most once a minute per token.
LAST_USED_RESOLUTION = timedelta(minutes=1)


class ApiTokenAuthentication(authentication.BaseAuthentication):
    keywords = ("token", "bearer")

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower().decode(errors="replace") not in self.keywords:
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(_("Invalid token header: give one token after the keyword."))
        try:
            key = header[1].decode("ascii")
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed(_("Invalid token.")) from None
        token = (
            ApiToken.objects.filter(revoked_at__isnull=True, digest=ApiToken.digest_of(key), user__is_active=True)
            .select_related("user")
            .first()
        )
        if token is None:
            raise exceptions.AuthenticationFailed(_("Invalid or revoked token."))
        if token.is_expired:
            raise exceptions.AuthenticationFailed(_("This token has expired: create a new one on the API tokens page."))
        if not credentials_hold(token):
            raise exceptions.AuthenticationFailed(
                _("This token no longer holds: its user's password or second factor changed since it was made.")
            )
        now = timezone.now()
        if token.last_used_at is None or now - token.last_used_at > LAST_USED_RESOLUTION:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        return token.user, token

    def authenticate_header(self, request):
        return "Token"


class ApiTokenScheme(OpenApiAuthenticationExtension):
    target_class = ApiTokenAuthentication
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "A personal token from the 'API tokens' page: `Token <key>`.",
        }
