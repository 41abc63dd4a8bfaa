"""Starting a detection job on a dossier (its worker runs ``evidence.ingest.redetection``)."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from audit.services import audit_record
from evidence.ingest.redetection import files_to_observe
from evidence.models import DetectionJob
from evidence.tasks import redetect_dossier

UNFINISHED = (DetectionJob.Status.QUEUED, DetectionJob.Status.RUNNING)


@transaction.atomic
def dossier_detection_start(*, dossier, detectors, classifiers, by, ip: str | None = None) -> DetectionJob:
    """A job running the chosen built-in ``detectors`` (names of DETECTORS) and registered
    ``classifiers`` (enabled ones) over the dossier's images and videos, queued after commit; the
    job already queued or running if there is one. Running a model shows nobody an image: the team
    starts it (the caller checked write access and that the user sees the files); audited with each
    model's version and SHA-256."""
    if (job := dossier.detection_jobs.filter(status__in=UNFINISHED).first()) is not None:
        return job
    detectors = [name for name in detectors if name in settings.DETECTORS]
    classifiers = [classifier for classifier in classifiers if classifier.enabled]
    if not detectors and not classifiers:
        raise ValidationError(_("Choose at least one detector or classifier."))
    job = DetectionJob.objects.create(
        dossier=dossier, detectors=detectors, files_total=files_to_observe(dossier).count(), created_by=by
    )
    job.classifiers.set(classifiers)
    audit_record(
        actor=by,
        action="detection_job.start",
        target=job,
        ip=ip,
        detectors=detectors,
        classifiers=[{"name": c.name, "version": c.version, "sha256": c.sha256} for c in classifiers],
        files=job.files_total,
    )
    transaction.on_commit(lambda: redetect_dossier.delay(job.pk))
    return job
