"""The classifiers administrators register (``detectors.onnx_classifier``): the model's weights,
kept in the database so that every worker reads the same bytes, with their SHA-256 and what the
model needs to run."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from detectors.onnx_classifier import ClassifierSpec


class Classifier(models.Model):
    name = models.CharField(_("name"), max_length=64, unique=True)
    version = models.CharField(_("version"), max_length=32)
    weights = models.BinaryField()
    sha256 = models.CharField(max_length=64)
    size = models.PositiveBigIntegerField()
    labels = models.JSONField(help_text="One score per label, in the model's output order.")
    alerting = models.JSONField(help_text="The labels whose score is the file's.")
    width = models.PositiveSmallIntegerField()
    height = models.PositiveSmallIntegerField()
    mean = models.JSONField(default=list)
    std = models.JSONField(default=list)
    enabled = models.BooleanField(_("runs on new images"), default=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    changed_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} {self.version}"

    def spec(self) -> ClassifierSpec:
        return ClassifierSpec(
            self.name,
            self.version,
            tuple(self.labels),
            tuple(self.alerting),
            self.width,
            self.height,
            tuple(self.mean),
            tuple(self.std),
        )
