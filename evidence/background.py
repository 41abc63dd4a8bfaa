"""What happens alike to the dossier's background jobs (``evidence.models.background.BackgroundJob``)."""

from django.db import transaction
from django.utils import timezone

from audit.services import audit_record


def background_job_fail(model, *, pk: int, reason, action: str, progress: str) -> None:
    """Record why the job ``pk`` of ``model`` stopped, so that it does not stay "running" for good;
    audited as ``action`` with how far it got (its field ``progress``: "files_done" is recorded as
    files=...). A finished job is left alone."""
    with transaction.atomic():
        job = model.objects.select_for_update().get(pk=pk)
        if job.is_finished:
            return
        job.status, job.error, job.finished_at = model.Status.FAILED, reason, timezone.now()
        job.save(update_fields=["status", "error", "finished_at"])
        audit_record(actor=None, action=action, target=job, **{progress.removesuffix("_done"): getattr(job, progress)})
