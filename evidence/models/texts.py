"""The files' text, searchable: what was extracted from their content and their names.

A file's text is stored in parts of at most ``TEXT_PART_CHARS`` characters (a PostgreSQL tsvector
holds at most 1 MiB; a part of 100,000 characters stays well below it whatever its words). On
PostgreSQL each part carries a generated ``search`` column (tsvector, in its language's
configuration with unaccent) under a GIN index, made by migration 0023 outside the model; on
SQLite an FTS5 table, ``evidence_filetext_fts``, holds a copy kept in step by the one service
that writes texts (``evidence.search.store``).
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from cases.models import Dossier
from evidence.models.background import BackgroundJob
from evidence.models.exhibits import TEXT_LANGUAGES, Exhibit
from evidence.models.files import EvidenceFile

# The text search languages: PostgreSQL configurations scelle_<name> (migration 0023).
LANGUAGES = tuple(code for code, _label in TEXT_LANGUAGES)


class FileText(models.Model):
    """One part of a file's text: from its content (extracted), its pictures (OCR), its tags (an
    image's comment, EXIF) or its name.

    A file whose pictures were read has an OCR row even when nothing was found in them (its text
    empty, or its ``error``): the index job knows it is done."""

    class Kind(models.TextChoices):
        CONTENT = "content", _("text")
        NAME = "name", _("file name")
        OCR = "ocr", _("text read from the picture")
        # What a person wrote in an image's tags: its comment, description, title, keywords, author.
        EXIF = "exif", _("comment in the picture's tags")

    # No index of their own: the unique (file, kind, part) and the (exhibit, kind) indexes lead with
    # them, and every file of every batch writes a row (its name).
    file = models.ForeignKey(EvidenceFile, on_delete=models.CASCADE, related_name="texts", db_index=False)
    # The file's exhibit, repeated: a dossier's search reads its exhibits' parts through one index.
    exhibit = models.ForeignKey(Exhibit, on_delete=models.CASCADE, related_name="+", db_index=False)
    kind = models.CharField(_("found in"), max_length=16, choices=Kind.choices)
    part = models.PositiveIntegerField(default=0)
    # The configuration its tsvector is built in: the exhibit's language, or with "auto" the one detected.
    language = models.CharField(max_length=16, default="simple")
    # What texts.language read in it ("french", "dutch", "english" or "simple" when unsure), whatever the
    # exhibit chose; "" when not read (a file name, or a part indexed before detection).
    detected_language = models.CharField(max_length=16, blank=True)
    text = models.TextField(blank=True)
    # Cut at TEXT_MAX_CHARS (the last part only), or stopped by the time limit.
    truncated = models.BooleanField(default=False)
    # Why the text could not be extracted: a worker message (config.messages), "" when it was.
    error = models.JSONField(default=str, blank=True)

    class Meta:
        ordering = ["file", "kind", "part"]
        constraints = [models.UniqueConstraint(fields=["file", "kind", "part"], name="file_text_unique_part")]
        indexes = [models.Index(fields=["exhibit", "kind"], name="file_text_exhibit_kind")]

    def __str__(self) -> str:
        return f"{self.file_id} {self.kind} {self.part}"


class TextIndexJob(BackgroundJob):
    """The text of a dossier's files ingested before content search, extracted and indexed."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="text_index_jobs")
    files_total = models.PositiveIntegerField(default=0)
    files_done = models.PositiveIntegerField(default=0)
    # The last file done: a job taken up again goes on after it.
    last_file_id = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.dossier_id}: {self.files_done}/{self.files_total}"

    @property
    def percent(self) -> int:
        return round(100 * self.files_done / self.files_total) if self.files_total else 100

    @property
    def audit_dossier(self):
        return self.dossier
