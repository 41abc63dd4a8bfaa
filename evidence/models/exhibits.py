"""Exhibits, their chain of custody and their acquisitions; the exhibit's fields, declared once."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from cases.models import Dossier, DossierSuspect, Search
from evidence.custody import rules as custody
from evidence.models.digests import HexDigests

# The languages a text search stems in (PostgreSQL configurations scelle_<code>, evidence migration
# 0023); "simple" stems nothing. Accents are ignored in all.
TEXT_LANGUAGES = (
    ("simple", _("Any language (words as written)")),
    ("english", _("English")),
    ("french", _("French")),
    ("dutch", _("Dutch")),
)
# What an exhibit may choose: one of TEXT_LANGUAGES for all its texts, or each text part's own language,
# detected as it is indexed (texts.language: French, Dutch or English, else "simple").
AUTO_LANGUAGE = "auto"
EXHIBIT_TEXT_LANGUAGES = ((AUTO_LANGUAGE, _("Detected in each file (French, Dutch or English)")), *TEXT_LANGUAGES)


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
    # The language its files' text is searched in (evidence.search); empty: the TEXT_LANGUAGE setting.
    # Not one of EXHIBIT_FIELDS: set from the dossier's search page (exhibit_text_language_set).
    text_language = models.CharField(
        _("language of its texts"), max_length=16, choices=EXHIBIT_TEXT_LANGUAGES, blank=True
    )

    class Ocr(models.TextChoices):
        AUTO = "auto", _("Automatic: unless it holds more pictures than the limit")
        ON = "on", _("On")
        OFF = "off", _("Off")

    # Whether text is read from its pictures and scanned PDFs (evidence.search.ocr); "auto": only
    # while it holds at most OCR_AUTO_MAX_FILES pictures. Set by an investigator (exhibit_ocr_set).
    ocr = models.CharField(_("text read from pictures (OCR)"), max_length=8, choices=Ocr.choices, default=Ocr.AUTO)
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
