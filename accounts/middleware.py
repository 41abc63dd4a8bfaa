import time
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django_htmx.http import HttpResponseClientRedirect

from audit.services import audit_record, client_ip


def roles_fingerprint(user) -> str:
    """What a session was granted at login; a change (role, staff, disabled) ends the session."""
    groups = ",".join(sorted(user.groups.values_list("name", flat=True)))
    return f"{groups}|{user.is_staff}|{user.is_superuser}|{user.is_active}"


def session_start(request) -> None:
    now = int(time.time())
    request.session["login_at"] = now
    request.session["last_seen"] = now
    request.session["roles"] = roles_fingerprint(request.user)


# The REST API authenticates every request by its token and ignores the session cookie, so the
# session rules (idle time, second factor) neither redirect nor apply there (api/authentication.py).
TOKEN_ONLY_PATHS = ("/api/v1/",)


class SessionPolicyMiddleware:
    """Ends a session after SESSION_IDLE_SECONDS without a request, after SESSION_ABSOLUTE_SECONDS
    in all, or as soon as the user's roles change."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if user.is_authenticated and not request.path.startswith(TOKEN_ONLY_PATHS):
            now = int(time.time())
            session = request.session
            reason = ""
            if "login_at" not in session:
                session_start(request)
            elif now - session.get("last_seen", 0) > settings.SESSION_IDLE_SECONDS:
                reason = _("Your session ended after a period of inactivity. Please log in again.")
            elif now - session["login_at"] > settings.SESSION_ABSOLUTE_SECONDS:
                reason = _("Your session reached its maximum length. Please log in again.")
            elif session.get("roles") != roles_fingerprint(user):
                reason = _("Your roles changed. Please log in again.")
            if reason:
                audit_record(actor=user, action="session.end", ip=client_ip(request), reason=reason)
                logout(request)
                messages.warning(request, reason)
                if request.htmx:
                    return HttpResponseClientRedirect(settings.LOGIN_URL_PATH)
                return redirect_to_login(request.get_full_path())
            session["last_seen"] = now
        return self.get_response(request)


class NoStoreMiddleware:
    """Pages for a logged-in user (dossiers, hashes, exports) are never kept in a cache."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if getattr(request, "user", None) is not None and request.user.is_authenticated:
            add_never_cache_headers(response)
        return response


# Pages a logged-in user may open before the second factor: entering it, enrolling one, leaving.
BEFORE_SECOND_FACTOR = ("/login/", "/account/two-factor/", "/logout/", "/i18n/", "/static/")


class SecondFactorMiddleware:
    """A session that is not verified by a second factor reaches nothing but the second-factor pages."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if (
            user.is_authenticated
            and not request.path.startswith(BEFORE_SECOND_FACTOR)
            and not request.path.startswith(TOKEN_ONLY_PATHS)
        ):
            from accounts.two_factor import has_second_factor, has_security_key, session_is_verified

            if session_is_verified(request):
                return self.get_response(request)
            if user.is_verified() and not has_security_key(user):
                # ADMIN_REQUIRE_WEBAUTHN: an admin verified by a code registers a key before anything else.
                target = reverse("security_keys")
            elif has_second_factor(user):
                target = reverse("second_factor")
            else:
                target = reverse("two_factor_setup")
            target = f"{target}?{urlencode({'next': request.get_full_path()})}"
            return HttpResponseClientRedirect(target) if request.htmx else redirect(target)
        return self.get_response(request)
