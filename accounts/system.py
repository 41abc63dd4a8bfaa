from django.contrib.auth import get_user_model

SYSTEM_USERNAME = "cli"


def command_line_user(username: str | None = None):
    """The user a management command acts as: a named one, or a system account that cannot log in."""
    User = get_user_model()
    if username:
        return User.objects.get(username=username)
    user, created = User.objects.get_or_create(username=SYSTEM_USERNAME, defaults={"is_active": False})
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user
