"""WebAuthn security keys (FIDO2) as a second factor, with py_webauthn doing the cryptography.

Two ceremonies, each in two steps: the server sends options with a fresh challenge (kept in the
session, usable once), the browser's key signs, the server verifies. A key is bound to this site's
origin, so a phishing page cannot replay what it signs; its signature counter must grow, so a
cloned key is refused. With ``ADMIN_REQUIRE_WEBAUTHN`` an admin's session counts as verified only
when a key verified it (accounts.middleware).
"""

import logging

import django_otp
import webauthn
from django.conf import settings
from django.db import transaction
from django.http.request import split_domain_port
from django.utils import timezone
from django.utils.crypto import salted_hmac
from webauthn.helpers import (
    base64url_to_bytes,
    bytes_to_base64url,
    parse_authentication_credential_json,
    parse_registration_credential_json,
)
from webauthn.helpers.exceptions import WebAuthnException
from webauthn.helpers.structs import (
    AttestationConveyancePreference,
    AuthenticatorSelectionCriteria,
    PublicKeyCredentialDescriptor,
    ResidentKeyRequirement,
    UserVerificationRequirement,
)

from accounts.models import SecurityKey
from accounts.roles import ADMIN, has_role
from audit.services import audit_record, client_ip

log = logging.getLogger(__name__)
RP_NAME = "Scellé"
REGISTRATION_CHALLENGE = "webauthn_registration_challenge"
AUTHENTICATION_CHALLENGE = "webauthn_authentication_challenge"
# What a malformed or forged answer may raise besides py_webauthn's own errors.
REFUSALS = (WebAuthnException, ValueError, KeyError, TypeError)


def relying_party(request) -> tuple[str, str]:
    """(RP ID, origin) of this request: the host name the browser used (checked against
    ALLOWED_HOSTS by get_host) unless WEBAUTHN_RP_ID pins it."""
    host = request.get_host()
    domain, _ = split_domain_port(host)
    return settings.WEBAUTHN_RP_ID or domain, f"{request.scheme}://{host}"


def security_key_required(user) -> bool:
    return settings.ADMIN_REQUIRE_WEBAUTHN and has_role(user, ADMIN)


def user_handle(user) -> bytes:
    """An opaque id for the key to store: no name, no database number."""
    return salted_hmac("accounts.security_keys.user_handle", str(user.pk)).digest()


def registration_options(request) -> str:
    """Options (JSON) for ``navigator.credentials.create``; the challenge waits in the session."""
    user = request.user
    rp_id, _ = relying_party(request)
    options = webauthn.generate_registration_options(
        rp_id=rp_id,
        rp_name=RP_NAME,
        user_id=user_handle(user),
        user_name=user.get_username(),
        user_display_name=user.get_full_name() or user.get_username(),
        attestation=AttestationConveyancePreference.NONE,
        authenticator_selection=AuthenticatorSelectionCriteria(
            resident_key=ResidentKeyRequirement.DISCOURAGED, user_verification=UserVerificationRequirement.DISCOURAGED
        ),
        exclude_credentials=[
            PublicKeyCredentialDescriptor(id=bytes(key.credential_id)) for key in SecurityKey.objects.filter(user=user)
        ],
    )
    request.session[REGISTRATION_CHALLENGE] = bytes_to_base64url(options.challenge)
    return webauthn.options_to_json(options)


@transaction.atomic
def security_key_register(request, *, credential: str, name: str) -> SecurityKey | None:
    """Verify the key's answer to the registration challenge and keep its public key; None if refused."""
    user = request.user
    challenge = request.session.pop(REGISTRATION_CHALLENGE, None)
    rp_id, origin = relying_party(request)
    try:
        if challenge is None:
            raise ValueError("no registration in progress")
        verified = webauthn.verify_registration_response(
            credential=credential,
            expected_challenge=base64url_to_bytes(challenge),
            expected_rp_id=rp_id,
            expected_origin=origin,
        )
        if SecurityKey.objects.filter(credential_id=verified.credential_id).exists():
            raise ValueError("this key is already registered")
        transports = parse_registration_credential_json(credential).response.transports or []
    except REFUSALS as error:
        audit_record(
            actor=user, action="two_factor.security_key_refused", ip=client_ip(request), reason=str(error)[:200]
        )
        return None
    key = SecurityKey.objects.create(
        user=user,
        name=(name.strip() or "security key")[:64],
        confirmed=True,
        credential_id=verified.credential_id,
        public_key=verified.credential_public_key,
        sign_count=verified.sign_count,
        transports=[str(getattr(t, "value", t)) for t in transports],
    )
    audit_record(actor=user, action="two_factor.security_key_add", target=key, ip=client_ip(request))
    return key


def authentication_options(request) -> str:
    """Options (JSON) for ``navigator.credentials.get``, allowing only this user's keys."""
    rp_id, _ = relying_party(request)
    options = webauthn.generate_authentication_options(
        rp_id=rp_id,
        allow_credentials=[
            PublicKeyCredentialDescriptor(id=bytes(key.credential_id))
            for key in SecurityKey.objects.filter(user=request.user, confirmed=True)
        ],
        user_verification=UserVerificationRequirement.DISCOURAGED,
    )
    request.session[AUTHENTICATION_CHALLENGE] = bytes_to_base64url(options.challenge)
    return webauthn.options_to_json(options)


def security_key_verify(request, *, credential: str) -> bool:
    """Check the key's signature of the login challenge; mark the session verified if right.

    The challenge is used once; a signature counter that did not grow (a cloned key, or a
    replayed answer) is refused.
    """
    from accounts.two_factor import mark_second_factor

    user = request.user
    challenge = request.session.pop(AUTHENTICATION_CHALLENGE, None)
    rp_id, origin = relying_party(request)
    with transaction.atomic():
        try:
            if challenge is None:
                raise ValueError("no login in progress")
            raw_id = parse_authentication_credential_json(credential).raw_id
            key = (
                SecurityKey.objects.select_for_update().filter(user=user, confirmed=True, credential_id=raw_id).first()
            )
            if key is None:
                raise ValueError("unknown key")
            verified = webauthn.verify_authentication_response(
                credential=credential,
                expected_challenge=base64url_to_bytes(challenge),
                expected_rp_id=rp_id,
                expected_origin=origin,
                credential_public_key=bytes(key.public_key),
                credential_current_sign_count=key.sign_count,
            )
        except REFUSALS as error:
            audit_record(
                actor=user,
                action="login.second_factor_failure",
                ip=client_ip(request),
                device="SecurityKey",
                reason=str(error)[:200],
            )
            return False
        key.sign_count = verified.new_sign_count
        key.last_used_at = timezone.now()
        key.save(update_fields=["sign_count", "last_used_at"])
    django_otp.login(request, key)
    mark_second_factor(request)
    audit_record(actor=user, action="login.second_factor", ip=client_ip(request), device="SecurityKey")
    return True


@transaction.atomic
def security_key_remove(*, key: SecurityKey, by, ip: str | None = None) -> None:
    audit_record(actor=by, action="two_factor.security_key_remove", target=key, ip=ip)
    key.delete()
