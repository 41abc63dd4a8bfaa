"""Registering a classifier (checked: its SHA-256 recorded, a test inference run) and switching it on
or off; each audited."""

import hashlib

from django.db import transaction

from audit.services import audit_record
from detectors.models import Classifier
from detectors.observe import forget_classifiers
from detectors.onnx_classifier import ClassifierSpec, checked


@transaction.atomic
def classifier_register(*, spec: ClassifierSpec, weights: bytes, by, ip: str | None = None) -> Classifier:
    """Check the model (``detectors.onnx_classifier.checked``: ModelRefused with the reason) and keep
    it, enabled: it runs on every image ingested from now on."""
    checked(weights, spec)
    classifier = Classifier.objects.create(
        name=spec.name,
        version=spec.version,
        weights=weights,
        sha256=hashlib.sha256(weights).hexdigest(),
        size=len(weights),
        labels=list(spec.labels),
        alerting=list(spec.alerting),
        width=spec.width,
        height=spec.height,
        mean=list(spec.mean),
        std=list(spec.std),
        created_by=by,
    )
    audit_record(
        actor=by,
        action="classifier.register",
        target=classifier,
        ip=ip,
        sha256=classifier.sha256,
        size=classifier.size,
        labels=classifier.labels,
        alerting=classifier.alerting,
    )
    forget_classifiers()  # this process asks again; the other workers within REFRESH_SECONDS
    return classifier


@transaction.atomic
def classifier_set_enabled(*, classifier: Classifier, enabled: bool, by, ip: str | None = None) -> None:
    classifier.enabled = enabled
    classifier.save(update_fields=["enabled", "changed_at"])
    audit_record(actor=by, action="classifier.enable" if enabled else "classifier.disable", target=classifier, ip=ip)
    forget_classifiers()  # this process asks again; the other workers within REFRESH_SECONDS
