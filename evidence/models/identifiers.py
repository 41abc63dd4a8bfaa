"""The identifiers found in the files' text and names (``texts.identifiers``): e-mail addresses,
phone numbers, IBANs, cryptocurrency addresses, URLs, onion services, and the usernames and
identifiers a chat's messages hold.

One row per file, kind, normalised value and where it was found, with the number of times. Written
with the file's text, by the one writer of texts (``evidence.search.store``), and by the chats app
through ``evidence.search.identifiers.file_identifiers_add``. Looked up by value across the
installation (the same identifier in another dossier the user may see) and by exhibit (a dossier's
tab); on PostgreSQL, trigrams on the value answer a substring (migration 0024).
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from evidence.models.exhibits import Exhibit
from evidence.models.files import EvidenceFile


class FileIdentifier(models.Model):
    class Kind(models.TextChoices):
        EMAIL = "email", _("E-mail address")
        PHONE = "phone", _("Phone number")
        IBAN = "iban", _("IBAN")
        BTC = "btc", _("Bitcoin address")
        ETH = "eth", _("Ethereum address")
        XMR = "xmr", _("Monero address")
        URL = "url", _("URL")
        ONION = "onion", _("Onion service")
        USERNAME = "username", _("Chat username")

    class FoundIn(models.TextChoices):
        # The same words as FileText.Kind: a search hit on an identifier is the part it was found in.
        CONTENT = "content", _("text")
        NAME = "name", _("file name")
        OCR = "ocr", _("text read from the picture")
        EXIF = "exif", _("comment in the picture's tags")
        MESSAGE = "message", _("chat messages")

    file = models.ForeignKey(EvidenceFile, on_delete=models.CASCADE, related_name="identifiers")
    # The file's exhibit, repeated: a dossier's tab reads its exhibits' rows through one index.
    exhibit = models.ForeignKey(Exhibit, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    value = models.CharField(_("identifier"), max_length=512)
    # As the text first wrote it ("0470 12 34 56" for +32470123456).
    raw = models.CharField(max_length=512, blank=True)
    found_in = models.CharField(_("found in"), max_length=16, choices=FoundIn.choices, default=FoundIn.CONTENT)
    count = models.PositiveIntegerField(_("occurrences"), default=1)

    class Meta:
        ordering = ["file", "kind", "value"]
        constraints = [
            models.UniqueConstraint(fields=["file", "kind", "value", "found_in"], name="file_identifier_unique")
        ]
        indexes = [
            models.Index(fields=["value", "kind"], name="file_identifier_value"),
            models.Index(fields=["exhibit", "kind", "value"], name="file_identifier_exhibit"),
        ]

    def __str__(self) -> str:
        return f"{self.file_id} {self.kind} {self.value}"
