"""Second factor: TOTP (django-otp) for every user, with single-use recovery codes; security keys
(WebAuthn, accounts.webauthn) for admins.

A password alone opens no page: until a session is verified by a second factor, the user can only
enrol one (first login) or enter a code.
"""

import secrets
import time

import django_otp
from django.db import transaction
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import SecurityKey
from accounts.security_keys import security_key_required
from audit.services import audit_record, client_ip

RECOVERY_CODES = 10
ISSUER = "Scellé"


def confirmed_devices(user) -> list:
    """The devices that accept a typed code: none for an admin who must use a security key."""
    if security_key_required(user) and has_security_key(user):
        return []
    return [
        *TOTPDevice.objects.filter(user=user, confirmed=True),
        *StaticDevice.objects.filter(user=user, confirmed=True),
    ]


def has_second_factor(user) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists() or has_security_key(user)


def has_security_key(user) -> bool:
    return SecurityKey.objects.filter(user=user, confirmed=True).exists()


def session_is_verified(request) -> bool:
    """Verified by a second factor, and by a security key where the admin policy asks for one."""
    user = request.user
    if not user.is_verified():
        return False
    return not security_key_required(user) or isinstance(getattr(user, "otp_device", None), SecurityKey)


def totp_enrolment_device(user) -> TOTPDevice:
    """The user's TOTP device being enrolled (created once, until confirmed)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    return device or TOTPDevice.objects.create(user=user, name="authenticator", confirmed=False)


def new_recovery_codes() -> list[str]:
    return [f"{secrets.randbelow(10**8):08d}" for _ in range(RECOVERY_CODES)]


@transaction.atomic
def totp_enrol_confirm(request, *, device: TOTPDevice, token: str) -> list[str] | None:
    """Confirm the device if ``token`` is right; return new recovery codes (shown once) or None."""
    if not device.verify_token(token.strip()):
        audit_record(actor=request.user, action="two_factor.enrol_failure", ip=client_ip(request))
        return None
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    StaticDevice.objects.filter(user=request.user).delete()
    recovery = StaticDevice.objects.create(user=request.user, name="recovery codes", confirmed=True)
    codes = new_recovery_codes()
    StaticToken.objects.bulk_create(StaticToken(device=recovery, token=code) for code in codes)
    django_otp.login(request, device)
    mark_second_factor(request)
    audit_record(actor=request.user, action="two_factor.enrol", ip=client_ip(request))
    return codes


def second_factor_verify(request, *, token: str) -> bool:
    """Check a TOTP code or a recovery code (used up); mark the session verified if right."""
    token = token.strip().replace(" ", "")
    for device in confirmed_devices(request.user):
        if device.verify_is_allowed()[0] and device.verify_token(token):
            django_otp.login(request, device)
            mark_second_factor(request)
            audit_record(
                actor=request.user,
                action="login.second_factor",
                ip=client_ip(request),
                device=device.__class__.__name__,
            )
            return True
    audit_record(actor=request.user, action="login.second_factor_failure", ip=client_ip(request))
    return False


@transaction.atomic
def second_factors_revoke(*, user, by, ip: str | None = None) -> None:
    """An admin removes a user's factors (lost phone): the next login enrols a new one."""
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    SecurityKey.objects.filter(user=user).delete()
    audit_record(actor=by, action="two_factor.revoke", target=user, ip=ip)


def mark_second_factor(request) -> None:
    """Remember when this session last proved its second factor (for step-up before exports)."""
    request.session[SECOND_FACTOR_AT] = int(time.time())


def second_factor_is_recent(request, seconds: int) -> bool:
    return int(time.time()) - request.session.get(SECOND_FACTOR_AT, 0) <= seconds


SECOND_FACTOR_AT = "second_factor_at"
