"""The views' access checks: a role, and a recent second factor before a sensitive operation."""

from functools import wraps
from urllib.parse import urlencode

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import reverse

from accounts.roles import has_role
from accounts.two_factor import second_factor_is_recent


def role_required(role: str):
    """Refuse (403) a logged-in user without ``role``; anonymous users go to the login page."""

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not has_role(request.user, role):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


def step_up_required(view):
    """Ask for the second factor again before an export or a list activation, unless it was given
    in the last STEP_UP_SECONDS (ASVS: step-up for sensitive operations)."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.user.is_authenticated and not second_factor_is_recent(request, settings.STEP_UP_SECONDS):
            query = urlencode({"step_up": 1, "next": request.get_full_path()})
            return redirect(f"{reverse('second_factor')}?{query}")
        return view(request, *args, **kwargs)

    return wrapper
