from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class HashList(models.Model):
    """A named list of hashes: known material to alert on, or known-good files to ignore."""

    class Kind(models.TextChoices):
        ALERT = "alert", _("Alert (known material)")
        IGNORABLE = "ignorable", _("Ignorable (known good)")

    name = models.CharField(_("name"), max_length=200, unique=True)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.ALERT)
    default_category = models.CharField(
        _("default category"), max_length=32, blank=True, help_text=_("Given to entries whose file carries none.")
    )
    description = models.TextField(_("description"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["name"]
        verbose_name = _("hash list")
        verbose_name_plural = _("hash lists")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("hashlist_detail", args=[self.pk])

    @property
    def active_version(self):
        return self.versions.filter(is_active=True).first()


class HashListVersion(models.Model):
    """One import of a list file. Immutable once ready; exactly one version of a list is active."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        IMPORTING = "importing", _("Importing")
        READY = "ready", _("Ready")
        FAILED = "failed", _("Failed")

    hash_list = models.ForeignKey(HashList, on_delete=models.PROTECT, related_name="versions")
    label = models.CharField(_("version"), max_length=100)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.QUEUED)
    is_active = models.BooleanField(_("active"), default=False)
    file_format = models.CharField(_("format"), max_length=32, blank=True)
    file_name = models.CharField(_("file name"), max_length=255)
    file_sha256 = models.BinaryField(max_length=32)
    file_size = models.PositiveBigIntegerField(default=0)
    stored_path = models.CharField(max_length=4096)
    lines_read = models.PositiveBigIntegerField(_("lines read"), default=0)
    entries = models.PositiveBigIntegerField(_("entries"), default=0)
    duplicates = models.PositiveBigIntegerField(_("duplicates"), default=0)
    malformed = models.PositiveBigIntegerField(_("malformed lines"), default=0)
    # The first malformed lines, as [line number, reason] pairs.
    malformed_sample = models.JSONField(default=list, blank=True)
    error = models.TextField(blank=True)
    imported_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["hash_list"], condition=Q(is_active=True), name="one_active_version"),
        ]
        verbose_name = _("hash list version")
        verbose_name_plural = _("hash list versions")

    def __str__(self) -> str:
        return f"{self.hash_list.name} {self.label}"

    def get_absolute_url(self) -> str:
        return reverse("hashlist_detail", args=[self.hash_list_id])

    @property
    def file_sha256_hex(self) -> str:
        return bytes(self.file_sha256).hex()

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.READY, self.Status.FAILED)


class HashEntry(models.Model):
    """One hash of a list version, stored as bytes."""

    class Algorithm(models.IntegerChoices):
        MD5 = 1, "MD5"
        SHA1 = 2, "SHA-1"
        SHA256 = 3, "SHA-256"

    BY_NAME = {"md5": Algorithm.MD5, "sha1": Algorithm.SHA1, "sha256": Algorithm.SHA256}

    version = models.ForeignKey(HashListVersion, on_delete=models.CASCADE, related_name="hash_entries")
    algorithm = models.PositiveSmallIntegerField(choices=Algorithm.choices)
    value = models.BinaryField(max_length=32)
    category = models.CharField(max_length=32, blank=True)
    name = models.CharField(max_length=255, blank=True)

    class Meta:
        indexes = [models.Index(fields=["algorithm", "value"], name="hashentry_lookup")]
        verbose_name = _("hash entry")
        verbose_name_plural = _("hash entries")

    def __str__(self) -> str:
        return f"{self.get_algorithm_display()} {bytes(self.value).hex()}"
