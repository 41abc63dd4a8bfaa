import hashlib

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ApiTokenQuerySet(models.QuerySet):
    def active(self):
        """Neither revoked nor expired (the user's state and credentials are checked on use)."""
        return self.filter(revoked_at__isnull=True, expires_at__gt=timezone.now())


class ApiToken(models.Model):
    """A personal API token. Only the SHA-256 of the token is stored: it is shown once, at creation.

    It holds only while the credentials its user had when it was made still hold: the same password
    and every second factor of then (``password_digest``, ``second_factors``; api.credentials).
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100)
    # The first characters, so that a user can tell their tokens apart; too short to be of use alone.
    prefix = models.CharField(max_length=12)
    digest = models.BinaryField(max_length=32, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(_("expires"))
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    # SHA-256 of the user's password hash when the token was made (empty: made before it was
    # recorded, so never honoured). The database holds the password hash itself: this adds nothing.
    password_digest = models.BinaryField(max_length=32, default=b"")
    # The user's second factors when the token was made ("totp:<id>", "key:<id>").
    second_factors = models.JSONField(default=list)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @staticmethod
    def digest_of(key: str) -> bytes:
        return hashlib.sha256(key.encode()).digest()

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= timezone.now()

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None and not self.is_expired
