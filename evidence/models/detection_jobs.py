"""Detectors and classifiers run again over a dossier's images and videos already ingested: when an
administrator registers a classifier, or a detector's model changes version, the team runs it on
what the dossier holds (``evidence.ingest.redetection``)."""

from datetime import timedelta

from django.db import models
from django.utils import timezone

from cases.models import Dossier
from detectors.models import Classifier
from evidence.models.background import BackgroundJob


class DetectionJob(BackgroundJob):
    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="detection_jobs")
    # The built-in detectors chosen (names of the DETECTORS setting) and the registered classifiers.
    detectors = models.JSONField(default=list, blank=True)
    classifiers = models.ManyToManyField(Classifier, blank=True, related_name="+")
    files_total = models.PositiveIntegerField(default=0)
    files_done = models.PositiveIntegerField(default=0)
    # Files decoded and looked at by a model that had not seen them (the others had its scores).
    files_scored = models.PositiveIntegerField(default=0)
    # Why files were not looked at: message code -> {"count": n, "first": the first such message}.
    reasons = models.JSONField(default=dict, blank=True)
    # The last file done: the next chunk (a task taken up again after its worker died) goes on after it.
    last_file_id = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.dossier_id}: {self.files_done}/{self.files_total}"

    @property
    def percent(self) -> int:
        return min(100, round(100 * self.files_done / self.files_total)) if self.files_total else 100

    @property
    def is_recent(self) -> bool:
        """Unfinished, or finished within the hour: the review page shows it opened."""
        if not self.is_finished or self.finished_at is None:
            return True
        return timezone.now() - self.finished_at < timedelta(hours=1)

    @property
    def audit_dossier(self):
        return self.dossier

    @property
    def reasons_shown(self) -> list[tuple[int, dict]]:
        """(count, first message) per reason, most frequent first."""
        return sorted(((entry["count"], entry["first"]) for entry in self.reasons.values()), key=lambda x: -x[0])
