"""Starting a text index job for a dossier (its worker runs ``evidence.search.indexing``)."""

from django.db import transaction

from audit.services import audit_record
from evidence.models import TextIndexJob
from evidence.search.indexing import files_to_index
from evidence.tasks import text_index_dossier


@transaction.atomic
def dossier_text_index_start(*, dossier, by, ip: str | None = None, queue: bool = True) -> TextIndexJob:
    """A job indexing the dossier's files ingested before content search, queued after commit; the
    job already queued or running if there is one. ``queue=False``: the caller runs it (command line)."""
    running = dossier.text_index_jobs.filter(status__in=[TextIndexJob.Status.QUEUED, TextIndexJob.Status.RUNNING])
    if (job := running.first()) is not None:
        return job
    job = TextIndexJob.objects.create(dossier=dossier, files_total=files_to_index(dossier).count(), created_by=by)
    audit_record(actor=by, action="text_index.start", target=job, ip=ip, files=job.files_total)
    if queue:
        transaction.on_commit(lambda: text_index_dossier.delay(job.pk))
    return job
