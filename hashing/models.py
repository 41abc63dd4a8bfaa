from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hashing.listformats.base import DIGEST_BYTES


class CategoryScheme(models.Model):
    """A classification standard (Project VIC, UK CAID, a country's own): data, so adding one needs no code."""

    code = models.SlugField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("category scheme")
        verbose_name_plural = _("category schemes")

    def __str__(self) -> str:
        return self.name


class CategoryValue(models.Model):
    """One category of a scheme. Matching a list entry whose category is not an alert one is not an alert."""

    scheme = models.ForeignKey(CategoryScheme, on_delete=models.CASCADE, related_name="values")
    code = models.CharField(_("code"), max_length=32)
    label = models.CharField(_("label"), max_length=200)
    is_alert = models.BooleanField(_("alert"), default=True)

    class Meta:
        ordering = ["scheme", "code"]
        constraints = [models.UniqueConstraint(fields=["scheme", "code"], name="one_value_per_code")]
        verbose_name = _("category")
        verbose_name_plural = _("categories")

    def __str__(self) -> str:
        return f"{self.code} {self.label}"


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
    scheme = models.ForeignKey(
        CategoryScheme,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="hash_lists",
        verbose_name=_("category scheme"),
    )
    # The CSV column mapping of the last import (field -> column name), offered again for the next version.
    column_mapping = models.JSONField(default=dict, blank=True)
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
        DRAFT = "draft", _("Awaiting confirmation")
        QUEUED = "queued", _("Queued")
        IMPORTING = "importing", _("Importing")
        READY = "ready", _("Ready")
        FAILED = "failed", _("Failed")
        CANCELLED = "cancelled", _("Cancelled")

    # Once ready, only these may change (activation); everything else is the record of the import.
    MUTABLE_WHEN_READY = frozenset({"is_active", "activated_at"})

    hash_list = models.ForeignKey(HashList, on_delete=models.PROTECT, related_name="versions")
    label = models.CharField(_("version"), max_length=100)
    source = models.CharField(_("source"), max_length=200, blank=True, help_text=_("Where the file came from."))
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.QUEUED)
    is_active = models.BooleanField(_("active"), default=False)
    # The file adds to the version active when it is imported instead of replacing it (the local
    # alert list: each dossier sends only its own reviewed material, and additions made at the same
    # time are merged one after the other by the importer).
    adds_to_active = models.BooleanField(_("adds to the active version"), default=False)
    file_format = models.CharField(_("format"), max_length=32, blank=True)
    file_name = models.CharField(_("file name"), max_length=255)
    file_sha256 = models.BinaryField(max_length=32)
    file_size = models.PositiveBigIntegerField(default=0)
    stored_path = models.CharField(max_length=4096)
    column_mapping = models.JSONField(default=dict, blank=True)
    cancel_requested = models.BooleanField(default=False)
    # Progress in the file's own unit: bytes for text and JSON files, rows for an NSRL database.
    progress_done = models.PositiveBigIntegerField(default=0)
    progress_total = models.PositiveBigIntegerField(default=0)
    lines_read = models.PositiveBigIntegerField(_("lines read"), default=0)
    entries = models.PositiveBigIntegerField(_("entries"), default=0)
    duplicates = models.PositiveBigIntegerField(_("duplicates"), default=0)
    malformed = models.PositiveBigIntegerField(_("malformed lines"), default=0)
    # The first malformed lines, as [line number, reason] pairs; the reason a worker message
    # (config.messages), or in an old row an English sentence.
    malformed_sample = models.JSONField(default=list, blank=True)
    # Why the import failed: a worker message, "" when none, or an old row's English sentence.
    error = models.JSONField(default=str, blank=True)
    # Difference with the version that was active when this one was imported.
    diff_base = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    added = models.PositiveBigIntegerField(null=True, blank=True)
    removed = models.PositiveBigIntegerField(null=True, blank=True)
    imported_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    activated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["hash_list"], condition=Q(is_active=True), name="one_active_version"),
        ]
        verbose_name = _("hash list version")
        verbose_name_plural = _("hash list versions")

    def __str__(self) -> str:
        return f"{self.hash_list.name} {self.label}"

    def save(self, *args, **kwargs):
        update_fields = kwargs.get("update_fields")
        if self.pk and not (update_fields and set(update_fields) <= self.MUTABLE_WHEN_READY):
            stored = HashListVersion.objects.filter(pk=self.pk).values_list("status", flat=True).first()
            if stored == self.Status.READY:
                raise ValueError("a ready hash-list version is immutable")
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("hashlist_detail", args=[self.hash_list_id])

    @property
    def file_sha256_hex(self) -> str:
        return bytes(self.file_sha256).hex()

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.READY, self.Status.FAILED, self.Status.CANCELLED)

    @property
    def is_running(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.IMPORTING)

    @property
    def elapsed_seconds(self) -> float:
        if self.started_at is None:
            return 0.0
        end = self.finished_at or timezone.now()
        return max((end - self.started_at).total_seconds(), 0.001)

    @property
    def lines_per_second(self) -> int:
        return int(self.lines_read / self.elapsed_seconds) if self.started_at else 0

    @property
    def percent_done(self) -> int:
        return min(100, int(100 * self.progress_done / self.progress_total)) if self.progress_total else 0

    @property
    def eta_seconds(self) -> int | None:
        """Seconds left at the rate so far, or None before there is a rate."""
        if not self.progress_done or not self.progress_total or self.is_finished:
            return None
        rate = self.progress_done / self.elapsed_seconds
        return int((self.progress_total - self.progress_done) / rate)


class HashEntry(models.Model):
    """One hash of a list version, stored as bytes."""

    class Algorithm(models.IntegerChoices):
        MD5 = 1, "MD5"
        SHA1 = 2, "SHA-1"
        SHA256 = 3, "SHA-256"
        PHASH = 4, "pHash"
        PDQ = 5, "PDQ"

    BY_NAME = {
        "md5": Algorithm.MD5,
        "sha1": Algorithm.SHA1,
        "sha256": Algorithm.SHA256,
        "phash": Algorithm.PHASH,
        "pdq": Algorithm.PDQ,
    }
    NAMES = {number: name for name, number in BY_NAME.items()}

    # No foreign-key constraint in the database: PostgreSQL checks one with a trigger per inserted row,
    # at commit, which took a quarter of a 1-million-line import. Entries are only ever written by the
    # importer for a version it holds, and deleted with it (hashing.importers).
    version = models.ForeignKey(
        HashListVersion, on_delete=models.CASCADE, related_name="hash_entries", db_constraint=False
    )
    algorithm = models.PositiveSmallIntegerField(choices=Algorithm.choices)
    value = models.BinaryField(max_length=32)
    category = models.CharField(max_length=32, blank=True)
    series = models.CharField(max_length=255, blank=True)
    name = models.CharField(max_length=255, blank=True)
    # What a format says of the entry beyond its hash (VICS flags, ICSE PhotoDNA kept opaque, NSRL size).
    extra = models.JSONField(null=True, blank=True)
    # The record (line) of the list file it came from: the hashes of one record are of one image
    # (a pHash and a PDQ side by side), which near matching weighs together (hashing.near_matching).
    item = models.BigIntegerField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["algorithm", "value"], name="hashentry_lookup"),
            # The other hashes of an image near a query: perceptual entries only (exact ones are most).
            models.Index(
                fields=["version", "item"], name="hashentry_perceptual_item", condition=models.Q(algorithm__in=[4, 5])
            ),
        ]
        verbose_name = _("hash entry")
        verbose_name_plural = _("hash entries")

    def __str__(self) -> str:
        return f"{self.get_algorithm_display()} {bytes(self.value).hex()}"


class DigestBlock(models.Model):
    """A bucket of a version's bare exact digests: those of one algorithm sharing their first 18 bits.

    Lines that are nothing but a digest (plain lists, the bulk of big lists) are stored this way:
    ``digests`` holds them sorted, deduplicated and packed end to end (16, 20 or 32 bytes each;
    ``count`` is how many). A digest of a version is either here or a ``HashEntry`` row, never
    both (hashing.digestsets explains why; hashing.blockstore reads both). Written in the same
    transaction that makes the version ready, so a failed or cancelled import leaves none.
    """

    # No index of its own: the unique constraint below starts with the version.
    version = models.ForeignKey(HashListVersion, on_delete=models.CASCADE, related_name="digest_blocks", db_index=False)
    algorithm = models.PositiveSmallIntegerField(choices=HashEntry.Algorithm.choices)
    prefix = models.PositiveIntegerField()
    category = models.CharField(max_length=32, blank=True)
    digests = models.BinaryField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["version", "algorithm", "prefix"], name="one_digest_block_per_prefix")
        ]
        verbose_name = _("digest block")
        verbose_name_plural = _("digest blocks")

    def __str__(self) -> str:
        return f"{self.get_algorithm_display()} {self.prefix:04x} ({self.count})"

    @property
    def count(self) -> int:
        return len(self.digests) // DIGEST_BYTES[HashEntry.NAMES[self.algorithm]]
