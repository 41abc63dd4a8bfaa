from accounts.roles import ADMIN, INVESTIGATOR, has_role


def roles(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"is_investigator": has_role(user, INVESTIGATOR), "is_admin": has_role(user, ADMIN)}
