from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
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
    prosecutor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("prosecutor"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="prosecuted_dossiers",
    )
    judge_name = models.CharField(_("investigating judge"), max_length=200, blank=True)
    judge_court = models.CharField(_("court"), max_length=200, blank=True)
    four_eyes = models.BooleanField(
        _("four-eyes review"),
        default=False,
        help_text=_("A categorisation counts only once a second reviewer has confirmed it."),
    )
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

    def tab_url(self, tab: str) -> str:
        return reverse(f"dossier_{tab}", args=[self.pk])


class DossierStatusChange(models.Model):
    """One step of the status workflow: who moved the dossier, when, from what to what, and why."""

    dossier = models.ForeignKey(Dossier, on_delete=models.PROTECT, related_name="status_changes")
    from_status = models.CharField(_("from"), max_length=32, choices=Dossier.Status.choices)
    to_status = models.CharField(_("to"), max_length=32, choices=Dossier.Status.choices)
    reason = models.TextField(_("reason"))
    at = models.DateTimeField(_("time"), default=timezone.now)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("status change")
        verbose_name_plural = _("status changes")

    def __str__(self) -> str:
        return f"{self.dossier.notice_number}: {self.from_status} → {self.to_status}"

    @property
    def audit_dossier(self):
        return self.dossier


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


class Search(models.Model):
    """A search (perquisition) at an address under a warrant; exhibits are seized during it."""

    dossier = models.ForeignKey(Dossier, on_delete=models.PROTECT, related_name="searches")
    address = models.TextField(_("address"))
    started_at = models.DateTimeField(_("date and time"))
    warrant_reference = models.CharField(_("warrant reference"), max_length=100)
    warrant_judge = models.CharField(_("issuing judge"), max_length=200)
    officers_present = models.TextField(_("officers present"), help_text=_("One name per line."))
    outcome = models.TextField(_("outcome"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-started_at", "-id"]
        verbose_name = _("search")
        verbose_name_plural = _("searches")

    def __str__(self) -> str:
        return f"{self.started_at:%Y-%m-%d %H:%M} {self.address.splitlines()[0] if self.address else ''}"

    def get_absolute_url(self) -> str:
        return reverse("search_detail", args=[self.pk])

    @property
    def audit_dossier(self):
        return self.dossier

    @property
    def officers(self) -> list[str]:
        return [line.strip() for line in self.officers_present.splitlines() if line.strip()]


class Person(models.Model):
    """Someone who may be a suspect in several dossiers; each dossier links to them once."""

    full_name = models.CharField(_("name"), max_length=200)
    aliases = models.TextField(_("aliases"), blank=True, help_text=_("One per line."))
    birth_date = models.DateField(_("birth date"), null=True, blank=True)
    nationality = models.CharField(_("nationality"), max_length=64, blank=True)
    national_number = models.CharField(_("national number"), max_length=32, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["full_name", "id"]
        indexes = [models.Index(fields=["full_name", "birth_date"], name="person_name_birth")]
        verbose_name = _("person")
        verbose_name_plural = _("persons")

    def __str__(self) -> str:
        return self.full_name

    @property
    def alias_list(self) -> list[str]:
        return [line.strip() for line in self.aliases.splitlines() if line.strip()]


class PersonIdentifier(models.Model):
    """An online identifier of a person: a user name, a phone number, an account id, an e-mail address."""

    class Kind(models.TextChoices):
        USERNAME = "username", _("User name")
        PHONE = "phone", _("Phone number")
        ACCOUNT = "account", _("Account id")
        EMAIL = "email", _("E-mail address")

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="identifiers")
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    value = models.CharField(_("value"), max_length=255)
    # Lowercase, and for phone numbers digits only, so that "+32 470 12 34 56" finds "0032470123456".
    normalized = models.CharField(max_length=255, db_index=True)

    class Meta:
        ordering = ["kind", "value"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.value}"

    @staticmethod
    def normalize(kind: str, value: str) -> str:
        value = value.strip().lower()
        if kind == PersonIdentifier.Kind.PHONE:
            digits = "".join(c for c in value if c.isdigit())
            return digits[2:] if digits.startswith("00") else digits
        return value


class DossierSuspect(models.Model):
    """A person as a suspect in one dossier, with their status in that dossier."""

    class Status(models.TextChoices):
        IDENTIFIED = "identified", _("Identified")
        SUMMONED = "summoned", _("Summoned")
        ARRESTED = "arrested", _("Arrested under warrant")
        CHARGED_RELEASED = "charged_released", _("Charged, released under conditions")
        RELEASED = "released", _("Released")
        CONVICTED = "convicted", _("Convicted")
        ACQUITTED = "acquitted", _("Acquitted")
        DISMISSED = "dismissed", _("Case dismissed")

    dossier = models.ForeignKey(Dossier, on_delete=models.PROTECT, related_name="suspects")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="dossier_links")
    status = models.CharField(_("status"), max_length=32, choices=Status.choices, default=Status.IDENTIFIED)
    searches = models.ManyToManyField(Search, blank=True, related_name="suspects", verbose_name=_("searches"))
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["person__full_name", "id"]
        constraints = [models.UniqueConstraint(fields=["dossier", "person"], name="suspect_unique_person")]
        verbose_name = _("suspect")
        verbose_name_plural = _("suspects")

    def __str__(self) -> str:
        return self.person.full_name

    def get_absolute_url(self) -> str:
        return reverse("suspect_detail", args=[self.pk])

    @property
    def audit_dossier(self):
        return self.dossier


class SuspectStatusChange(models.Model):
    suspect = models.ForeignKey(DossierSuspect, on_delete=models.PROTECT, related_name="status_changes")
    from_status = models.CharField(_("from"), max_length=32, choices=DossierSuspect.Status.choices, blank=True)
    to_status = models.CharField(_("to"), max_length=32, choices=DossierSuspect.Status.choices)
    note = models.TextField(_("note"), blank=True)
    at = models.DateTimeField(_("time"), default=timezone.now)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.suspect}: {self.to_status}"
