"""Small helpers shared by the views."""

from functools import wraps

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator

from accounts.roles import has_role


def paginate(request, queryset, per_page: int | None = None):
    return Paginator(queryset, per_page or settings.PAGE_SIZE).get_page(request.GET.get("page"))


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
