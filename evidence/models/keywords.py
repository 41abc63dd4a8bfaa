"""Keyword lists: terms a team imports into a dossier, run over its files' text as a job.

A list keeps its terms (in the search box's syntax, each with its line number and an optional
label) and the lines it refused, with their reasons. A run looks for every term over the dossier's
texts (``evidence.search.keywords``) and keeps one hit per term and file; the counts per term and
exhibit are read from the hits.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from cases.models import Dossier
from evidence.models.background import BackgroundJob
from evidence.models.exhibits import Exhibit
from evidence.models.files import EvidenceFile


class KeywordList(models.Model):
    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="keyword_lists")
    name = models.CharField(_("name"), max_length=200)
    # The uploaded file's name ("" for a list typed in the page).
    file_name = models.CharField(max_length=255, blank=True)
    lines = models.PositiveIntegerField(default=0)
    # [[line number, message], ...]: the lines not taken and why (texts.keywords).
    rejected = models.JSONField(default=list, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.name

    @property
    def audit_dossier(self):
        return self.dossier


class KeywordTerm(models.Model):
    keyword_list = models.ForeignKey(KeywordList, on_delete=models.CASCADE, related_name="terms")
    line = models.PositiveIntegerField()
    term = models.CharField(_("term"), max_length=1000)
    label = models.CharField(_("label"), max_length=200, blank=True)

    class Meta:
        ordering = ["keyword_list", "line"]
        constraints = [models.UniqueConstraint(fields=["keyword_list", "line"], name="keyword_term_unique_line")]

    def __str__(self) -> str:
        return self.term


class KeywordRun(BackgroundJob):
    """A keyword list looked for over its dossier's texts, term after term."""

    keyword_list = models.ForeignKey(KeywordList, on_delete=models.CASCADE, related_name="runs")
    terms_total = models.PositiveIntegerField(default=0)
    terms_done = models.PositiveIntegerField(default=0)
    # Files found, counted once per term.
    hits = models.PositiveIntegerField(default=0)
    # Terms the search refused when run (none from an import; kept should the syntax change).
    # The line of the last term done: a run taken up again goes on after it.
    last_line = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.keyword_list_id}: {self.terms_done}/{self.terms_total}"

    @property
    def percent(self) -> int:
        return round(100 * self.terms_done / self.terms_total) if self.terms_total else 100

    @property
    def audit_dossier(self):
        return self.keyword_list.dossier


class KeywordHit(models.Model):
    """A file holding a term (in its text or its name), found by a run."""

    run = models.ForeignKey(KeywordRun, on_delete=models.CASCADE, related_name="+")
    term = models.ForeignKey(KeywordTerm, on_delete=models.CASCADE, related_name="+")
    file = models.ForeignKey(EvidenceFile, on_delete=models.CASCADE, related_name="+")
    # The file's exhibit, repeated: the counts per term and exhibit read one index.
    exhibit = models.ForeignKey(Exhibit, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["run", "term", "file"], name="keyword_hit_unique")]
        indexes = [models.Index(fields=["run", "term", "exhibit"], name="keyword_hit_counts")]

    def __str__(self) -> str:
        return f"{self.term_id} {self.file_id}"
