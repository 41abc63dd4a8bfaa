from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from audit.chain import FIELDS as CHAIN_FIELDS


class AuditEvent(models.Model):
    """One line of the append-only audit log.

    Rows are never updated or deleted: the model refuses it and, on PostgreSQL, so do triggers.
    The actor's user name is copied so that the line reads the same whatever happens to the user.
    """

    at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT)
    actor_name = models.CharField(_("actor"), max_length=150, blank=True)
    action = models.CharField(_("action"), max_length=64, db_index=True)
    target_type = models.CharField(max_length=64, blank=True)
    target_id = models.CharField(max_length=64, blank=True)
    target_label = models.CharField(_("target"), max_length=255, blank=True)
    # No database constraint: the log must outlive whatever it mentions.
    dossier = models.ForeignKey(
        "cases.Dossier", null=True, blank=True, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    ip = models.GenericIPAddressField(null=True, blank=True)
    detail = models.JSONField(default=dict, blank=True)
    previous_hash = models.BinaryField(max_length=32, default=bytes)
    row_hash = models.BinaryField(max_length=32, default=bytes)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.actor_name} {self.action} {self.target_label}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("Audit events are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("Audit events are append-only.")

    def chain_fields(self) -> dict:
        return {name: getattr(self, name) for name in CHAIN_FIELDS}

    @property
    def row_hash_hex(self) -> str:
        return bytes(self.row_hash).hex()
