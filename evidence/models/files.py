"""The evidence files: their digests, keyframes, image verifications and triage counts."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from detectors import NUDENET
from evidence.models.digests import HexDigests
from evidence.models.exhibits import Exhibit
from evidence.models.ingest import IngestBatch, IngestJob
from texts.extraction import MAIL_KINDS, text_kind


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
            Q(review_category__gt="") | Q(triage__in=EvidenceFile.MATCH_STATES)
        )


class EvidenceFile(HexDigests, models.Model):
    """One file found in an exhibit, with its hashes and what matching said of it."""

    class Triage(models.TextChoices):
        PENDING = "pending", _("Pending")
        KNOWN = "known", _("Known material")
        NEAR = "near", _("Near match (to confirm)")
        POSSIBLE = "possible", _("Possible match (to confirm)")
        KNOWN_GOOD = "known_good", _("Known good (ignorable)")
        NEW_IMAGE = "new_image", _("New image")
        NEW_VIDEO = "new_video", _("New video")
        OTHER = "other", _("Other file")
        ERROR = "error", _("Error")

    # Not on any list and worth a human's eyes: the material that can lead to a victim.
    NEW_STATES = (Triage.NEW_IMAGE, Triage.NEW_VIDEO)
    # What the review page shows by default: a human decides.
    REVIEW_STATES = (Triage.NEAR, Triage.POSSIBLE, Triage.NEW_IMAGE, Triage.NEW_VIDEO)
    # Near a list entry or a known file, for a reviewer to confirm or reject: strong, then weaker
    # (never known material until confirmed).
    MATCH_STATES = (Triage.NEAR, Triage.POSSIBLE)

    exhibit = models.ForeignKey(Exhibit, on_delete=models.PROTECT, related_name="files")
    job = models.ForeignKey(IngestJob, on_delete=models.PROTECT, related_name="files")
    batch = models.ForeignKey(IngestBatch, on_delete=models.PROTECT, related_name="files")
    # Text, not a bounded column: a folder deeper than PATH_MAX (4,096 bytes) is walked to its end
    # (evidence.ingest.sources), and its files' paths are longer than that.
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
    # Per mille of the image that is flat (hashing.perceptual.flat_share): documents and screens ask
    # more of a near match (hashing.near_matching.near_by_hashes). None before it was measured.
    flat_share = models.PositiveSmallIntegerField(null=True, blank=True)
    # A near or possible match: {"strength", "pdq", "phash" (the distance of each hash, where known),
    # "key" (what a rejection remembers: hashing.near_matching.NearMatch.key)}.
    match_detail = models.JSONField(null=True, blank=True)
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
    def match_distances(self) -> list[tuple[str, int]]:
        """A near or possible match's distance of each hash (bits), as shown: [("PDQ", 40), ("pHash", 12)]."""
        detail = self.match_detail or {}
        found = [(label, detail[name]) for name, label in (("pdq", "PDQ"), ("phash", "pHash")) if name in detail]
        if not found and self.match_distance is not None:  # matched before both distances were kept
            found = [
                ({"pdq": "PDQ", "phash": "pHash"}.get(self.match_algorithm, self.match_algorithm), self.match_distance)
            ]
        return found

    @property
    def detection_summary(self) -> dict | None:
        """What the detectors saw (``detections``, prefetched by the review): the highest sexual-content
        score, the most faces, and whether the score reaches DETECTOR_LIKELY_SCORE; None if none looked."""
        found = list(self.detections.all())
        if not found:
            return None
        top = max(found, key=lambda d: d.score)
        return {
            "score": top.score,
            "faces": max(d.faces for d in found),
            "likely": top.score >= settings.DETECTOR_LIKELY_SCORE,
            "by": top.detector.name,
            "builtin": top.detector.name == NUDENET,
        }

    @property
    def match_frames(self) -> dict | None:
        """A video matched to a known video: its keyframes matched in order, of how many, and the
        known video's count, with both shares in per cent (``hashing.near_matching.video_strength``)."""
        frames = (self.match_detail or {}).get("frames")
        if not frames:
            return None
        matched, of, known = frames["matched"], frames["of"], frames["known"]
        return {
            **frames,
            "query_percent": round(100 * matched / of) if of else 0,
            "known_percent": round(100 * matched / known) if known else 0,
        }

    @property
    def is_mail(self) -> bool:
        """An e-mail (.eml, .mbox, .msg): its members are its attachments."""
        return text_kind(self.mime, self.path) in MAIL_KINDS

    @property
    def is_video(self) -> bool:
        return self.mime.startswith("video/")

    @property
    def awaits_confirmation(self) -> bool:
        decided = bool(self.review_category) or self.triage in EvidenceFile.MATCH_STATES
        return decided and self.reviewed_at is not None and self.confirmed_at is None

    @property
    def pdq_hex(self) -> str:
        return self.hex("pdq")


class ImageVerification(HexDigests, models.Model):
    """A disk image's media hashes, read once from start to end, against the hashes claimed for it.

    The comparisons with the acquisitions are made again when the exhibit is shown, so that an
    acquisition recorded after the ingestion is checked too (evidence.custody.selectors).
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
