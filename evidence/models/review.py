"""Review: the categorisations given to files."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from evidence.models.files import EvidenceFile


class Categorisation(models.Model):
    """One decision of a reviewer on a file: who, when, what it was before and after. Append-only."""

    class Action(models.TextChoices):
        CATEGORISE = "categorise", _("Categorised")
        CONFIRM = "confirm", _("Confirmed (second reviewer)")
        CONFIRM_NEAR = "confirm_near", _("Near match confirmed")
        REJECT_NEAR = "reject_near", _("Near match rejected")

    file = models.ForeignKey(EvidenceFile, on_delete=models.CASCADE, related_name="categorisations")
    action = models.CharField(_("action"), max_length=16, choices=Action.choices)
    scheme = models.CharField(max_length=32, blank=True)
    category_before = models.CharField(_("before"), max_length=32, blank=True)
    category_after = models.CharField(_("after"), max_length=32, blank=True)
    triage_before = models.CharField(max_length=16)
    triage_after = models.CharField(max_length=16)
    series = models.CharField(max_length=255, blank=True)
    # A rejected near or possible match: what was rejected (hashing.near_matching.NearMatch.key), so
    # that matching does not propose it to this file again unless the entry (or file) changes.
    match_key = models.CharField(max_length=160, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(_("time"), auto_now_add=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("categorisation")
        verbose_name_plural = _("categorisations")

    def __str__(self) -> str:
        return f"{self.file.path}: {self.category_before or '-'} -> {self.category_after or '-'}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("Categorisations are append-only.")
        super().save(*args, **kwargs)

    @property
    def audit_dossier(self):
        return self.file.exhibit.dossier
