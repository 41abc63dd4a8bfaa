from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class Dossier(models.Model):
    """A case file, identified by the prosecutor's notice number."""

    class Status(models.TextChoices):
        OPENED = "opened", _("Opened")
        UNDER_INVESTIGATION = "under_investigation", _("Under investigation")
        POSITIVE = "positive", _("Positive")
        NEGATIVE = "negative", _("Negative")
        SENT_TO_COURT = "sent_to_court", _("Sent to court")
        CLOSED = "closed", _("Closed")

    notice_number = models.CharField(_("notice number"), max_length=64, unique=True)
    title = models.CharField(_("title"), max_length=200)
    status = models.CharField(_("status"), max_length=32, choices=Status.choices, default=Status.OPENED)
    opened_on = models.DateField(_("opened on"))
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-opened_on", "-id"]
        verbose_name = _("dossier")
        verbose_name_plural = _("dossiers")

    def __str__(self) -> str:
        return f"{self.notice_number} {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("dossier_detail", args=[self.pk])

    @property
    def audit_dossier(self):
        return self

    def role_of(self, user) -> str | None:
        membership = self.memberships.filter(user=user).first()
        return membership.role if membership else None


class Membership(models.Model):
    """Who may see a dossier, and in which role. Nobody else sees it."""

    class Role(models.TextChoices):
        LEAD = "lead", _("Lead investigator")
        INVESTIGATOR = "investigator", _("Investigator")
        ANALYST = "analyst", _("Analyst")
        PROSECUTOR = "prosecutor", _("Prosecutor (read-only)")

    WRITE_ROLES = (Role.LEAD, Role.INVESTIGATOR, Role.ANALYST)

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["dossier", "user"], name="membership_unique_user")]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")

    def __str__(self) -> str:
        return f"{self.user} ({self.get_role_display()}) in {self.dossier.notice_number}"

    @property
    def audit_dossier(self):
        return self.dossier

    @property
    def can_write(self) -> bool:
        return self.role in self.WRITE_ROLES
