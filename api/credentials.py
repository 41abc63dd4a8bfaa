"""What an API token is bound to: its user's password and second factors when it was made.

A token is a password that a script keeps. It must not outlive the credentials that vouched for
it: a password change (by any path: the admin's forms, ``manage.py changepassword``) or a second
factor removed or reset ends the tokens made before. Checked on every request, like Django's own
session hash, so that no path that changes a credential has to remember the tokens.
"""

import hashlib
import hmac

from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import SecurityKey

TOTP, KEY = "totp:", "key:"


def password_digest(user) -> bytes:
    return hashlib.sha256(user.password.encode()).digest()


def second_factors(user) -> list[str]:
    """The user's confirmed second factors (authenticator apps and security keys), as stable names."""
    totp = TOTPDevice.objects.filter(user=user, confirmed=True).values_list("pk", flat=True)
    keys = SecurityKey.objects.filter(user=user, confirmed=True).values_list("pk", flat=True)
    return sorted([f"{TOTP}{pk}" for pk in totp] + [f"{KEY}{pk}" for pk in keys])


def credentials_hold(token) -> bool:
    """The token's user has the password of then and every second factor of then (new ones may be added)."""
    user = token.user
    recorded = bytes(token.password_digest or b"")
    if not recorded or not hmac.compare_digest(recorded, password_digest(user)):
        return False
    for prefix, model in ((TOTP, TOTPDevice), (KEY, SecurityKey)):
        ids = {int(name.removeprefix(prefix)) for name in token.second_factors if name.startswith(prefix)}
        if ids and model.objects.filter(user=user, confirmed=True, pk__in=ids).count() != len(ids):
            return False
    return True
