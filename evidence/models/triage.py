"""Triage logs: re-match notices told to dossiers, perceptual changes read by the file index."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from cases.models import Dossier


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
    them, and this table, before the log moved here), read by ``evidence.triage.file_index``: the files
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
