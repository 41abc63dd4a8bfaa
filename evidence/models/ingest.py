"""Ingest: server-folder grants, jobs, their sources and batches, listings, chunked uploads."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from cases.models import Dossier
from config.messages import english, render
from evidence.models.exhibits import Exhibit


class SourceGrantQuerySet(models.QuerySet):
    def active(self):
        return self.filter(revoked_at__isnull=True)


class SourceGrant(models.Model):
    """A folder of the evidence server granted to a dossier: only then may its members browse and ingest it.

    Granted and revoked by an admin (evidence.ingest.source_grants). A revoked grant is kept, with who revoked
    it and when, so that who could reach which folder stays on record.
    """

    dossier = models.ForeignKey(Dossier, on_delete=models.PROTECT, related_name="source_grants")
    # The root as EVIDENCE_SOURCES names it, not its index: reordering the setting moves no grant, and
    # a root taken out of the setting takes its grants with it.
    root = models.CharField(_("evidence source"), max_length=1024)
    folder = models.CharField(_("folder"), max_length=1024, help_text=_("Relative to the evidence source."))
    note = models.TextField(_("note"), blank=True)
    granted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    granted_at = models.DateTimeField(_("granted"), auto_now_add=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    objects = SourceGrantQuerySet.as_manager()

    class Meta:
        ordering = ["root", "folder", "id"]
        verbose_name = _("evidence folder grant")
        verbose_name_plural = _("evidence folder grants")
        constraints = [
            models.UniqueConstraint(
                fields=["dossier", "root", "folder"],
                condition=Q(revoked_at__isnull=True),
                name="evidence_sourcegrant_once_per_dossier",
            )
        ]

    def __str__(self) -> str:
        return f"{self.dossier.notice_number}: {self.folder}"

    @property
    def audit_dossier(self):
        return self.dossier


class IngestJob(models.Model):
    """Bringing the content of one source into an exhibit. Progress is the sum of its batches."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        ENUMERATING = "enumerating", _("Listing files")
        RUNNING = "running", _("Hashing")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")
        CANCELLED = "cancelled", _("Cancelled")

    FINISHED = (Status.DONE, Status.FAILED, Status.CANCELLED)

    exhibit = models.ForeignKey(Exhibit, on_delete=models.PROTECT, related_name="ingest_jobs")
    source_label = models.CharField(_("source"), max_length=500)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.QUEUED)
    files_total = models.PositiveIntegerField(default=0)
    bytes_total = models.PositiveBigIntegerField(default=0)
    # What went wrong, a list of worker messages (config.messages), one a line; an old row holds
    # its English text as one string.
    error = models.JSONField(default=str, blank=True)
    # The password for the job's encrypted archives, encrypted (evidence.ingest.archive_passwords),
    # wiped when the job ends.
    archive_password = models.BinaryField(null=True, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("ingest job")
        verbose_name_plural = _("ingest jobs")

    def __str__(self) -> str:
        return f"Ingest #{self.pk} {self.source_label}"

    @property
    def error_lines(self) -> list:
        """The stored error lines: messages (config.messages), or an old row's text as one line."""
        if not self.error:
            return []
        return list(self.error) if isinstance(self.error, list) else [self.error]

    @property
    def error_text(self) -> str:
        """The error lines in the active language, one a line."""
        return "\n".join(render(line) for line in self.error_lines)

    @property
    def error_text_english(self) -> str:
        return "\n".join(english(line) for line in self.error_lines)

    @property
    def audit_dossier(self):
        return self.exhibit.dossier

    @property
    def is_finished(self) -> bool:
        return self.status in self.FINISHED


class IngestSource(models.Model):
    """One thing an ingest job reads: a file or a folder tree, where it lies (read-only)."""

    class Kind(models.TextChoices):
        FILE = "file", _("File")
        FOLDER = "folder", _("Folder")

    job = models.ForeignKey(IngestJob, on_delete=models.CASCADE, related_name="sources")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    path = models.CharField(max_length=4096, help_text="Where the worker reads it (evidence store or server path).")
    display_name = models.CharField(max_length=1024)

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.display_name}"


class IngestBatch(models.Model):
    """A slice of a job's files that one Celery task hashes; any worker may take any batch."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")

    class Kind(models.TextChoices):
        FILES = "files", _("Files")
        # Files whose names say image or video: the same processing, on the `media` queue.
        MEDIA = "media", _("Media files")
        ARCHIVE = "archive", _("Archive")
        IMAGE = "image", _("Disk image")
        VERIFY = "verify", _("Image verification")
        CHAT = "chat", _("Chat export")
        # Text read from the pictures and scanned PDFs of the batch ``parent`` (evidence.search.ocr),
        # on the `media` queue once that batch is saved: hashing never waits for OCR.
        OCR = "ocr", _("Text read from pictures")

    job = models.ForeignKey(IngestJob, on_delete=models.CASCADE, related_name="batches")
    number = models.PositiveIntegerField()
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.FILES)
    # For an archive or disk-image batch: the file whose content this batch walks; for a chat
    # export, its result.json.
    container = models.ForeignKey(
        "EvidenceFile", null=True, blank=True, on_delete=models.CASCADE, related_name="expansions"
    )
    # The disk-image batch that listed this batch's files; for an OCR batch, the batch whose files it reads.
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.CASCADE, related_name="children")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    files_count = models.PositiveIntegerField(default=0)
    bytes_count = models.PositiveBigIntegerField(default=0)
    # Progress counters, rewritten while the batch runs and reset if it is run again.
    files_done = models.PositiveIntegerField(default=0)
    bytes_done = models.PositiveBigIntegerField(default=0)
    errors = models.PositiveIntegerField(default=0)
    attempts = models.PositiveIntegerField(default=0)
    # The Celery worker (node name) that ran it last: work shared across hosts is visible.
    worker = models.CharField(max_length=200, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["job", "number"]
        constraints = [models.UniqueConstraint(fields=["job", "number"], name="batch_unique_number")]

    def __str__(self) -> str:
        return f"Batch {self.number} of job #{self.job_id}"


class BatchListing(models.Model):
    """The files of a batch as listed, not yet rows: the batch writes each file's row once, with
    its results, instead of a row at listing and an update with the results (half the writes per
    file: one row version and one entry per index, not two). A batch that will not process its
    files (job cancelled, time limit) turns its listing into rows (``evidence.ingest.filerows``); until
    then the listing counts as pending, for PostgreSQL's kept totals by a trigger of migration 0014.

    ``entries``: one ``[id, value, value...]`` per file, its values those of the attnames of
    ``fields`` (the id reserved at listing on PostgreSQL, so that ids follow the listing's order;
    times in ISO 8601); ``common``: values every file of the batch takes (a disk image's files: the
    image's path and record). A file with an error at listing, a disk image to expand and a chat
    export get their rows at listing: other work refers to them before the batch runs.
    """

    batch = models.OneToOneField(IngestBatch, primary_key=True, on_delete=models.CASCADE, related_name="listing")
    exhibit = models.ForeignKey(Exhibit, on_delete=models.CASCADE, related_name="+", db_constraint=False)
    files = models.PositiveIntegerField()
    bytes = models.PositiveBigIntegerField()
    fields = models.JSONField()
    common = models.JSONField(default=dict)
    entries = models.JSONField()

    def __str__(self) -> str:
        return f"Listing of {self.batch}: {self.files} files"


class ChunkedUpload(models.Model):
    """A large file sent by the browser in chunks, appended in order to a temporary file.

    The browser asks for ``received`` after a dropped connection and goes on from there. Once
    complete, the file is hashed here (the browser's word is not taken) and moved into the
    evidence store; then it is ingested like any upload.
    """

    class Status(models.TextChoices):
        OPEN = "open", _("Receiving")
        STORED = "stored", _("Stored")
        ABANDONED = "abandoned", _("Abandoned")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    exhibit = models.ForeignKey(Exhibit, on_delete=models.PROTECT, related_name="chunked_uploads")
    name = models.CharField(max_length=255)
    size = models.PositiveBigIntegerField()
    received = models.PositiveBigIntegerField(default=0)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.OPEN)
    sha256 = models.BinaryField(max_length=32, null=True)
    job = models.ForeignKey(IngestJob, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        return f"Upload {self.name} ({self.received}/{self.size})"

    @property
    def audit_dossier(self):
        return self.exhibit.dossier

    @property
    def temporary_path(self):
        return settings.UPLOAD_TEMP_ROOT / f"{self.id}.part"
