import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from cases.models import Dossier, DossierSuspect, Search
from config.messages import english, render
from evidence import custody


class HexDigests:
    """Digests are stored as bytes and shown as lowercase hex."""

    def hex(self, algorithm: str) -> str:
        value = getattr(self, algorithm)
        return bytes(value).hex() if value is not None else ""

    @property
    def md5_hex(self) -> str:
        return self.hex("md5")

    @property
    def sha1_hex(self) -> str:
        return self.hex("sha1")

    @property
    def sha256_hex(self) -> str:
        return self.hex("sha256")


class Exhibit(models.Model):
    """A seized item under seal (pièce à conviction / scellé)."""

    class Kind(models.TextChoices):
        COMPUTER = "computer", _("Computer")
        LAPTOP = "laptop", _("Laptop")
        EXTERNAL_DISK = "external_disk", _("External disk")
        INTERNAL_DISK = "internal_disk", _("Internal disk")
        USB_KEY = "usb_key", _("USB key")
        MEMORY_CARD = "memory_card", _("Memory card")
        SERVER = "server", _("Server")
        PHONE = "phone", _("Phone")
        TABLET = "tablet", _("Tablet")
        OPTICAL_DISC = "optical_disc", _("Optical disc")
        CLOUD_ACCOUNT = "cloud_account", _("Cloud account")
        OTHER = "other", _("Other")

    dossier = models.ForeignKey(Dossier, on_delete=models.PROTECT, related_name="exhibits")
    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices)

    class Power(models.TextChoices):
        UNKNOWN = "", _("Unknown")
        ON = "on", _("On")
        OFF = "off", _("Off")

    seal_number = models.CharField(_("seal number"), max_length=64)
    description = models.TextField(_("description"), blank=True)
    make = models.CharField(_("make"), max_length=100, blank=True)
    device_model = models.CharField(_("model"), max_length=100, blank=True)
    serial_number = models.CharField(_("serial number"), max_length=100, blank=True)
    imei = models.CharField(_("IMEI"), max_length=17, blank=True)
    iccid = models.CharField(_("ICCID"), max_length=22, blank=True)
    capacity_bytes = models.PositiveBigIntegerField(_("capacity (bytes)"), null=True, blank=True)
    power_state = models.CharField(_("on or off at seizure"), max_length=8, choices=Power.choices, blank=True)
    locked = models.BooleanField(_("locked at seizure"), null=True, blank=True)
    damaged = models.BooleanField(_("damaged at seizure"), default=False)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("inside exhibit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        help_text=_("For example the computer a disk was taken out of."),
    )
    seized_from = models.ForeignKey(
        DossierSuspect,
        verbose_name=_("seized from"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="exhibits",
    )
    search = models.ForeignKey(
        Search,
        verbose_name=_("seized during"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="exhibits",
    )
    storage_location = models.CharField(_("storage location"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["seal_number"]
        constraints = [models.UniqueConstraint(fields=["dossier", "seal_number"], name="exhibit_unique_seal")]
        verbose_name = _("exhibit")
        verbose_name_plural = _("exhibits")

    def __str__(self) -> str:
        return f"{self.seal_number} ({self.get_kind_display()})"

    def get_absolute_url(self) -> str:
        return reverse("exhibit_detail", args=[self.pk])

    @property
    def audit_dossier(self):
        return self.dossier


# What a person records when registering an exhibit, declared once: the page's form, the service
# (exhibit_register) and the API's serializer take their fields from here, in this order.
EXHIBIT_FIELDS = (
    "kind",
    "seal_number",
    "description",
    "make",
    "device_model",
    "serial_number",
    "imei",
    "iccid",
    "capacity_bytes",
    "power_state",
    "locked",
    "damaged",
    "search",
    "seized_from",
    "parent",
    "storage_location",
)
# Of those, the links to other rows, which must belong to the exhibit's dossier. The API leaves
# them out: an id of another dossier's row would be answered differently from a missing one.
EXHIBIT_LINK_FIELDS = ("search", "seized_from", "parent")


class CustodyEvent(models.Model):
    """One link of an exhibit's chain of custody. Append-only: a mistake is corrected by a new event."""

    class Kind(models.TextChoices):
        SEALED = custody.SEALED, _("Sealed")
        TRANSFERRED = custody.TRANSFERRED, _("Transferred")
        CHECKED_OUT = custody.CHECKED_OUT, _("Checked out")
        CHECKED_IN = custody.CHECKED_IN, _("Checked in")
        OPENED_FOR_ACQUISITION = custody.OPENED_FOR_ACQUISITION, _("Opened for acquisition")
        RESEALED = custody.RESEALED, _("Resealed")
        RETURNED = custody.RETURNED, _("Returned")
        DESTROYED = custody.DESTROYED, _("Destroyed")

    exhibit = models.ForeignKey(Exhibit, on_delete=models.PROTECT, related_name="custody_events")
    kind = models.CharField(_("event"), max_length=32, choices=Kind.choices)
    at = models.DateTimeField(_("time"))
    from_person = models.CharField(_("from (person)"), max_length=200, blank=True)
    to_person = models.CharField(_("to (person)"), max_length=200, blank=True)
    from_location = models.CharField(_("from (location)"), max_length=200, blank=True)
    to_location = models.CharField(_("to (location)"), max_length=200, blank=True)
    purpose = models.TextField(_("purpose"), blank=True)
    seal_before = models.CharField(_("seal number before"), max_length=64, blank=True)
    seal_after = models.CharField(_("seal number after"), max_length=64, blank=True)
    seal_intact = models.BooleanField(_("seal intact"), null=True, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("custody event")
        verbose_name_plural = _("custody events")

    def __str__(self) -> str:
        return f"{self.exhibit.seal_number}: {self.get_kind_display()}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("Custody events are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("Custody events are append-only.")

    @property
    def audit_dossier(self):
        return self.exhibit.dossier

    @property
    def ledger_entry(self) -> dict:
        """Every field of the entry, as its audit event keeps it (a court may compare the two).

        Times in ISO 8601 to the microsecond (Django's JSON encoder would cut them to milliseconds).
        """
        entry = {field.attname: field.value_from_object(self) for field in self._meta.concrete_fields}
        entry = {name: value.isoformat() if hasattr(value, "isoformat") else value for name, value in entry.items()}
        entry["recorded_by_username"] = self.recorded_by.get_username()
        return entry


class SourceGrantQuerySet(models.QuerySet):
    def active(self):
        return self.filter(revoked_at__isnull=True)


class SourceGrant(models.Model):
    """A folder of the evidence server granted to a dossier: only then may its members browse and ingest it.

    Granted and revoked by an admin (evidence.source_grants). A revoked grant is kept, with who revoked
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


class Acquisition(HexDigests, models.Model):
    """A forensic image of an exhibit, with the hashes the examiner's tool reported."""

    class Format(models.TextChoices):
        RAW = "raw", _("Raw (dd)")
        E01 = "e01", _("E01 (EnCase)")
        LOGICAL = "logical", _("Logical copy")

    exhibit = models.ForeignKey(Exhibit, on_delete=models.PROTECT, related_name="acquisitions")
    examiner = models.CharField(_("examiner"), max_length=200)
    tool = models.CharField(_("tool"), max_length=100)
    tool_version = models.CharField(_("tool version"), max_length=50)
    write_blocker = models.CharField(_("write blocker"), max_length=100, blank=True)
    image_format = models.CharField(_("format"), max_length=16, choices=Format.choices)
    started_at = models.DateTimeField(_("started"))
    ended_at = models.DateTimeField(_("ended"), null=True, blank=True)
    md5 = models.BinaryField(max_length=16, null=True)
    sha1 = models.BinaryField(max_length=20, null=True)
    sha256 = models.BinaryField(max_length=32, null=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["started_at", "id"]
        verbose_name = _("acquisition")
        verbose_name_plural = _("acquisitions")

    def __str__(self) -> str:
        return f"{self.exhibit.seal_number}: {self.get_image_format_display()} {self.started_at:%Y-%m-%d}"

    @property
    def audit_dossier(self):
        return self.exhibit.dossier


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
    # The password for the job's encrypted archives, encrypted (evidence.archive_passwords), wiped when the job ends.
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

    job = models.ForeignKey(IngestJob, on_delete=models.CASCADE, related_name="batches")
    number = models.PositiveIntegerField()
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.FILES)
    # For an archive or disk-image batch: the file whose content this batch walks; for a chat
    # export, its result.json.
    container = models.ForeignKey(
        "EvidenceFile", null=True, blank=True, on_delete=models.CASCADE, related_name="expansions"
    )
    # The disk-image batch that listed this batch's files.
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
    files (job cancelled, time limit) turns its listing into rows (``evidence.filerows``); until
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


class EvidenceFileQuerySet(models.QuerySet):
    def pending(self):
        return self.filter(triage=EvidenceFile.Triage.PENDING)

    def known_material(self):
        """On an alert list or categorised by a reviewer, with its category: what is shared as hashes."""
        return self.filter(triage=EvidenceFile.Triage.KNOWN).exclude(match_category="")

    def to_review(self):
        """Near matches and new images and videos nobody has categorised yet."""
        return self.filter(triage__in=EvidenceFile.REVIEW_STATES, reviewed_at__isnull=True)

    def awaiting_confirmation(self):
        """Decisions a second reviewer must confirm (four eyes): categorisations, and near matches one
        reviewer confirmed (a near match's category may be empty)."""
        return self.filter(reviewed_at__isnull=False, confirmed_at__isnull=True).filter(
            Q(review_category__gt="") | Q(triage=EvidenceFile.Triage.NEAR)
        )


class EvidenceFile(HexDigests, models.Model):
    """One file found in an exhibit, with its hashes and what matching said of it."""

    class Triage(models.TextChoices):
        PENDING = "pending", _("Pending")
        KNOWN = "known", _("Known material")
        NEAR = "near", _("Near match (to confirm)")
        KNOWN_GOOD = "known_good", _("Known good (ignorable)")
        NEW_IMAGE = "new_image", _("New image")
        NEW_VIDEO = "new_video", _("New video")
        OTHER = "other", _("Other file")
        ERROR = "error", _("Error")

    # Not on any list and worth a human's eyes: the material that can lead to a victim.
    NEW_STATES = (Triage.NEW_IMAGE, Triage.NEW_VIDEO)
    # What the review page shows by default: a human decides.
    REVIEW_STATES = (Triage.NEAR, Triage.NEW_IMAGE, Triage.NEW_VIDEO)

    exhibit = models.ForeignKey(Exhibit, on_delete=models.PROTECT, related_name="files")
    job = models.ForeignKey(IngestJob, on_delete=models.PROTECT, related_name="files")
    batch = models.ForeignKey(IngestBatch, on_delete=models.PROTECT, related_name="files")
    # Text, not a bounded column: a folder deeper than PATH_MAX (4,096 bytes) is walked to its end
    # (evidence.sources), and its files' paths are longer than that.
    path = models.TextField(_("path"))
    source_path = models.TextField()
    # Inside an archive: the archive's own record, and the member names from the outermost archive.
    container = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="members", db_index=False
    )
    archive_path = models.JSONField(default=list, blank=True)
    # Inside a disk image: {"offset": file system's byte offset, "inode": metadata address}.
    image_locator = models.JSONField(null=True, blank=True)
    created_time = models.DateTimeField(_("created"), null=True, blank=True)
    modified_time = models.DateTimeField(_("modified"), null=True, blank=True)
    accessed_time = models.DateTimeField(_("accessed"), null=True, blank=True)
    inode = models.PositiveBigIntegerField(null=True, blank=True)
    is_deleted = models.BooleanField(_("deleted"), default=False)
    size = models.PositiveBigIntegerField(_("size"), default=0)
    mime = models.CharField(_("type"), max_length=255, blank=True)
    md5 = models.BinaryField(max_length=16, null=True)
    sha1 = models.BinaryField(max_length=20, null=True)
    sha256 = models.BinaryField(max_length=32, null=True, db_index=True)
    # Images: perceptual hashes and a thumbnail in the derived store (served only through a view).
    phash = models.BinaryField(max_length=8, null=True)
    pdq = models.BinaryField(max_length=32, null=True)
    pdq_quality = models.PositiveSmallIntegerField(null=True, blank=True)
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    # Videos: duration in seconds; their sampled keyframes are VideoFrame rows; the thumbnail is a
    # contact sheet of those keyframes.
    duration = models.FloatField(_("duration"), null=True, blank=True)
    thumbnail = models.CharField(max_length=200, blank=True)
    triage = models.CharField(_("status"), max_length=16, choices=Triage.choices, default=Triage.PENDING)
    match_list = models.ForeignKey(
        "hashing.HashList",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="matched_files",
        db_index=False,
    )
    match_algorithm = models.CharField(max_length=16, blank=True)
    match_category = models.CharField(_("category"), max_length=32, blank=True)
    # A near match: its Hamming distance (bits) and, when it is a file already categorised here
    # rather than a list entry, that file.
    match_distance = models.PositiveSmallIntegerField(_("distance"), null=True, blank=True)
    match_file = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="near_copies", db_index=False
    )
    # What a query also asks with (PDQ rotations and mirrors, hashes without a uniform border):
    # concatenated 32-byte PDQ and 8-byte pHash hashes (hashing.perceptual.image_hashes).
    pdq_variants = models.BinaryField(null=True)
    phash_variants = models.BinaryField(null=True)
    # Why the file could not be read or decoded: a worker message (config.messages), "" when none,
    # or the English sentence of a row written before messages had codes.
    error = models.JSONField(_("error"), default=str, blank=True)
    # Read and hashed, but worth knowing: a hostile name in an archive, an archive not expanded...
    # Worker messages (config.messages); old rows hold English sentences.
    findings = models.JSONField(_("findings"), default=list, blank=True)
    processed_at = models.DateTimeField(null=True, blank=True)
    # A reviewer's categorisation (scheme and category codes, as data); its history is Categorisation rows.
    review_scheme = models.CharField(max_length=32, blank=True)
    review_category = models.CharField(_("reviewed category"), max_length=32, blank=True)
    review_series = models.CharField(_("series"), max_length=255, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    reviewed_at = models.DateTimeField(_("reviewed"), null=True, blank=True)
    # Four-eyes dossiers: a categorisation counts once a second reviewer has confirmed it.
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    confirmed_at = models.DateTimeField(_("confirmed"), null=True, blank=True)

    objects = EvidenceFileQuerySet.as_manager()

    class Meta:
        ordering = ["path", "id"]
        indexes = [
            # File lists are read by keyset on id, within an exhibit and optionally a state.
            models.Index(fields=["exhibit", "triage", "id"], name="file_exhibit_triage_id"),
            models.Index(fields=["exhibit", "id"], name="file_exhibit_id"),
            models.Index(fields=["md5"], name="file_md5"),
            models.Index(fields=["sha1"], name="file_sha1"),
            # The foreign keys empty on most files, indexed only where set: every index is written
            # for every file ingested.
            *(
                models.Index(fields=[name], condition=Q(**{f"{name}__isnull": False}), name=f"file_{name}_set")
                for name in ("container", "match_list", "match_file", "reviewed_by", "confirmed_by")
            ),
        ]
        verbose_name = _("evidence file")
        verbose_name_plural = _("evidence files")

    def __str__(self) -> str:
        return self.path

    def get_absolute_url(self) -> str:
        return reverse("file_detail", args=[self.pk])

    @property
    def audit_dossier(self):
        return self.exhibit.dossier

    @property
    def name(self) -> str:
        return self.path.rsplit("/", 1)[-1]

    @property
    def phash_hex(self) -> str:
        return self.hex("phash")

    @property
    def is_video(self) -> bool:
        return self.mime.startswith("video/")

    @property
    def awaits_confirmation(self) -> bool:
        decided = bool(self.review_category) or self.triage == EvidenceFile.Triage.NEAR
        return decided and self.reviewed_at is not None and self.confirmed_at is None

    @property
    def pdq_hex(self) -> str:
        return self.hex("pdq")


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


class ImageVerification(HexDigests, models.Model):
    """A disk image's media hashes, read once from start to end, against the hashes claimed for it.

    The comparisons with the acquisitions are made again when the exhibit is shown, so that an
    acquisition recorded after the ingestion is checked too (evidence.selectors).
    """

    class Result(models.TextChoices):
        MATCH = "match", _("Match")
        MISMATCH = "mismatch", _("Mismatch")
        NOT_AVAILABLE = "not_available", _("Nothing to compare with")
        ERROR = "error", _("Image not readable to its end")

    file = models.OneToOneField(EvidenceFile, on_delete=models.CASCADE, related_name="verification")
    exhibit = models.ForeignKey(Exhibit, on_delete=models.PROTECT, related_name="image_verifications")
    image_format = models.CharField(max_length=16)
    media_size = models.PositiveBigIntegerField(default=0)
    bytes_read = models.PositiveBigIntegerField(default=0)
    md5 = models.BinaryField(max_length=16, null=True)
    sha1 = models.BinaryField(max_length=20, null=True)
    sha256 = models.BinaryField(max_length=32, null=True)
    # The hashes the image itself carries (an E01's acquisition hashes), lowercase hex.
    stored_hashes = models.JSONField(default=dict, blank=True)
    result = models.CharField(max_length=16, choices=Result.choices)
    # Why the media could not be read to its end: a worker message (config.messages), "" when it
    # was, or an old row's English sentence.
    error = models.JSONField(default=str, blank=True)
    verified_at = models.DateTimeField()

    class Meta:
        ordering = ["file__path"]

    def __str__(self) -> str:
        return f"{self.file.path}: {self.get_result_display()}"

    @property
    def audit_dossier(self):
        return self.exhibit.dossier

    @property
    def computed(self) -> dict[str, str]:
        return {name: self.hex(name) for name in ("md5", "sha1", "sha256") if getattr(self, name) is not None}


class VideoFrame(models.Model):
    """A keyframe sampled from a video, hashed like an image (for near-duplicate matching)."""

    file = models.ForeignKey(EvidenceFile, on_delete=models.CASCADE, related_name="frames")
    index = models.PositiveSmallIntegerField()
    time = models.FloatField(help_text="Seconds from the start.")
    phash = models.BinaryField(max_length=8)
    pdq = models.BinaryField(max_length=32)
    pdq_quality = models.PositiveSmallIntegerField()
    pdq_variants = models.BinaryField(default=b"")
    phash_variants = models.BinaryField(default=b"")

    class Meta:
        ordering = ["file", "index"]
        constraints = [models.UniqueConstraint(fields=["file", "index"], name="video_frame_unique_index")]

    def __str__(self) -> str:
        return f"{self.file.path} @ {self.time:.1f} s"

    @property
    def phash_hex(self) -> str:
        return bytes(self.phash).hex()

    @property
    def pdq_hex(self) -> str:
        return bytes(self.pdq).hex()


class TriageCountQuerySet(models.QuerySet):
    def compact(self, exhibit_ids) -> None:
        """Fold the exhibits' rows into one per state (safe while workers append: a row appended
        meanwhile is not in this statement's snapshot, and stays)."""
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute(
                "WITH moved AS (DELETE FROM evidence_triagecount WHERE exhibit_id = ANY(%s)"
                " RETURNING exhibit_id, triage, files, bytes)"
                " INSERT INTO evidence_triagecount (exhibit_id, triage, files, bytes)"
                " SELECT exhibit_id, triage, sum(files), sum(bytes) FROM moved GROUP BY exhibit_id, triage"
                " HAVING sum(files) <> 0 OR sum(bytes) <> 0",
                [list(exhibit_ids)],
            )


class TriageCount(models.Model):
    """Files and bytes per exhibit and triage state, kept by PostgreSQL triggers on the file table.

    Every INSERT, UPDATE or DELETE statement on ``evidence_evidencefile`` appends its net change
    here (one row per exhibit and state it touched, never an update of a shared row, so workers do
    not queue on a counter); ``evidence.selectors.exhibit_triage_totals`` sums the rows of the
    exhibits it shows and folds them into one row per state when they pile up. So a page shows the
    totals of a million files without counting them. Not kept on SQLite (the demo counts instead).
    """

    exhibit = models.ForeignKey(Exhibit, on_delete=models.CASCADE, related_name="+", db_constraint=False)
    triage = models.CharField(max_length=16)
    files = models.BigIntegerField()
    bytes = models.BigIntegerField()

    objects = TriageCountQuerySet.as_manager()

    class Meta:
        indexes = [models.Index(fields=["exhibit", "triage"], name="triage_count_exhibit")]

    def __str__(self) -> str:
        return f"{self.exhibit_id} {self.triage}: {self.files:+d} files"


class RematchNotice(models.Model):
    """Told to a dossier's members: a newly active list version changed what its files match."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="rematch_notices")
    version = models.ForeignKey("hashing.HashListVersion", on_delete=models.CASCADE, related_name="rematch_notices")
    files_now_known = models.PositiveIntegerField(default=0)
    files_no_longer_known = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    seen_by = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="+")

    class Meta:
        db_table = "hashing_rematchnotice"  # made by hashing before the notices moved here
        ordering = ["-created_at", "-id"]
        verbose_name = _("re-match notice")
        verbose_name_plural = _("re-match notices")

    def __str__(self) -> str:
        return f"{self.dossier} / {self.version}"


class PerceptualChange(models.Model):
    """A file whose perceptual hashes (or video keyframes) were written, by the transaction ``xid``.

    Appended by PostgreSQL triggers on the file and keyframe tables (hashing migration 0006 made
    them, and this table, before the log moved here), read by ``evidence.file_index``: the files
    written since an index of the installation's files was built are the rows whose transaction
    was not finished when it was built (``xid`` >= its snapshot's xmin), whatever order
    transactions commit in.
    """

    file_id = models.BigIntegerField()  # no foreign key: a log, never locking the file table
    xid = models.BigIntegerField()

    class Meta:
        db_table = "hashing_perceptualchange"  # the triggers of hashing migration 0006 write this table
        indexes = [models.Index(fields=["xid"], name="perceptual_change_xid")]

    def __str__(self) -> str:
        return f"file {self.file_id} in transaction {self.xid}"
