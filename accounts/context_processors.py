from accounts.roles import ADMIN, INVESTIGATOR, PROSECUTOR, has_role


def roles(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "is_investigator": has_role(user, INVESTIGATOR),
        "is_prosecutor": has_role(user, PROSECUTOR),
        "is_admin": has_role(user, ADMIN),
    }
