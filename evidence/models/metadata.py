"""What an image says of itself and what detectors saw in it, read once on the worker: its tags'
camera, time and place (``hashing.exif``: one row per image that has any; the Devices and Places
views of a dossier are built on them), and each detector's score, faces and regions (``detectors``:
one row per image and detector, with the model's name, version and weights' SHA-256)."""

from django.db import models

from evidence.models.files import EvidenceFile
from hashing.exif import captions_of


class ImageMetadata(models.Model):
    """An image's camera, capture time and position, as its EXIF/XMP tags give them (never verified:
    tags can be edited; shown as "the file says")."""

    file = models.OneToOneField(EvidenceFile, on_delete=models.CASCADE, primary_key=True, related_name="metadata")
    make = models.CharField(max_length=128, blank=True)
    model = models.CharField(max_length=128, blank=True)
    serial = models.CharField(max_length=128, blank=True, help_text="The camera body's serial number.")
    lens = models.CharField(max_length=256, blank=True)
    software = models.CharField(max_length=128, blank=True)
    owner = models.CharField(max_length=128, blank=True)
    comment = models.CharField(max_length=128, blank=True)
    taken_local = models.CharField(max_length=19, blank=True, help_text="As the camera's clock wrote it.")
    taken_offset = models.CharField(max_length=6, blank=True)
    taken_at = models.DateTimeField(null=True, blank=True, help_text="UTC, where the offset is written.")
    taken_day = models.DateField(null=True, blank=True, help_text="The day on the camera's clock.")
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    altitude = models.FloatField(null=True, blank=True)
    extra = models.JSONField(default=dict, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["make", "model", "serial"], name="image_metadata_device"),
            models.Index(fields=["serial"], name="image_metadata_serial", condition=~models.Q(serial="")),
        ]

    def __str__(self) -> str:
        return f"{self.file_id}: {self.device_label}"

    @property
    def device_label(self) -> str:
        label = " ".join(part for part in (self.make, self.model) if part)
        return f"{label} #{self.serial}" if self.serial else label

    @property
    def captions(self) -> str:
        """What a person wrote in its tags, one a line (``hashing.exif.captions_of``)."""
        return captions_of(self.comment, self.owner, self.extra)

    @property
    def has_position(self) -> bool:
        return self.latitude is not None and self.longitude is not None

    @classmethod
    def of_facts(cls, evidence_file: EvidenceFile, facts) -> "ImageMetadata":
        """A row from ``hashing.exif.CameraFacts``."""
        return cls(
            file=evidence_file,
            make=facts.make,
            model=facts.model,
            serial=facts.serial,
            lens=facts.lens,
            software=facts.software,
            owner=facts.owner,
            comment=facts.comment,
            taken_local=facts.taken_local,
            taken_offset=facts.taken_offset,
            taken_at=facts.taken_at,
            taken_day=facts.taken_day,
            latitude=facts.latitude,
            longitude=facts.longitude,
            altitude=facts.altitude,
            extra=facts.extra,
        )


class Detector(models.Model):
    """A detection model as it ran: its name, version and the SHA-256 of its weights (for the report)."""

    name = models.CharField(max_length=64)
    version = models.CharField(max_length=32)
    sha256 = models.CharField(max_length=64)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["name", "version", "sha256"], name="detector_unique")]

    def __str__(self) -> str:
        return f"{self.name} {self.version}"


class Detection(models.Model):
    """What one detector saw in one image: how likely sexual content (0 to 1), how many faces, and the
    regions (label, score, box as shares of the sides). Never shown as an image: labels and numbers."""

    file = models.ForeignKey(EvidenceFile, on_delete=models.CASCADE, related_name="detections")
    detector = models.ForeignKey(Detector, on_delete=models.PROTECT, related_name="+")
    score = models.FloatField()
    faces = models.PositiveSmallIntegerField(default=0)
    regions = models.JSONField(default=list, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["file", "detector"], name="detection_unique")]
        indexes = [models.Index(fields=["detector", "score"], name="detection_score")]

    def __str__(self) -> str:
        return f"{self.file_id}: {self.detector_id} {self.score:.2f}"


class Face(models.Model):
    """A face found in an image (or a video's keyframe): where (as shares of the image's sides), how
    big in the pixels looked at, its description (128 float32, ``detectors.faces``) and a small crop
    (a file of the derived store, served veiled like a thumbnail until revealed, every view audited)."""

    file = models.ForeignKey(EvidenceFile, on_delete=models.CASCADE, related_name="faces")
    detector = models.ForeignKey(Detector, on_delete=models.PROTECT, related_name="+")
    left = models.FloatField()
    top = models.FloatField()
    width = models.FloatField()
    height = models.FloatField()
    side = models.PositiveSmallIntegerField(help_text="The face's shorter side, in the pixels looked at.")
    embedding = models.BinaryField(help_text="128 float32, little-endian.")
    crop = models.CharField(max_length=255, blank=True, help_text="Path in the derived store.")
    time = models.FloatField(null=True, blank=True, help_text="A video's keyframe: seconds from the start.")

    def __str__(self) -> str:
        return f"{self.file_id}: face {self.pk}"
