from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_otp.models import Device


class ReviewerSettings(models.Model):
    """A reviewer's welfare choices. Absent row: the defaults (strong blur)."""

    class Blur(models.IntegerChoices):
        STRONG = 16, _("Strong")
        MEDIUM = 10, _("Medium")
        LIGHT = 5, _("Light")

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reviewer_settings")
    blur_radius = models.PositiveSmallIntegerField(_("blur strength"), choices=Blur.choices, default=Blur.STRONG)

    class Meta:
        verbose_name = _("reviewer settings")
        verbose_name_plural = _("reviewer settings")

    def __str__(self) -> str:
        return f"{self.user}: {self.get_blur_radius_display()}"


class SecurityKey(Device):
    """A WebAuthn security key (FIDO2), a second factor that a phished password cannot replay.

    A django-otp device, so that a session verified by a key is ``is_verified()`` like any other;
    it has no typed code (``verify_token`` is always false): it signs a challenge instead
    (accounts.webauthn).
    """

    credential_id = models.BinaryField(unique=True)
    public_key = models.BinaryField(help_text=_("COSE-encoded public key"))
    sign_count = models.PositiveBigIntegerField(default=0)
    transports = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("security key")
        verbose_name_plural = _("security keys")

    def verify_token(self, token) -> bool:
        return False
