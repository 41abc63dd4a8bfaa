"""The text of a dossier's files ingested before content search: read again, extracted, indexed.

A file is read where the ingest read it (a folder, a disk image); its SHA-256 is computed again on
the way and its text kept only if it is the one recorded at ingest (evidence is read-only, and a
text must come from the bytes that were hashed). A member of an archive gets its name indexed; its
content waits for the archive to be walked again (a later step).
"""

import hashlib
import logging

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from audit.services import audit_record
from config.messages import message
from config.work_locks import claim
from evidence.ingest import disk_files, sources
from evidence.ingest.pipeline.files import file_blocks
from evidence.models import EvidenceFile, FileText, TextIndexJob
from evidence.search.store import file_text_extract, file_texts_save, has_text, text_failed

log = logging.getLogger(__name__)
CHUNK_FILES = 200


def files_to_index(dossier):
    """The dossier's files with no text row yet: ingested before content search."""
    return EvidenceFile.objects.filter(exhibit__dossier=dossier).exclude(
        Exists(FileText.objects.filter(file=OuterRef("pk"), kind=FileText.Kind.NAME))
    )


def text_index_job_run(*, job: TextIndexJob) -> None:
    """Index the job's dossier's files in chunks, each in its own transaction, going on after the
    last file done (a job taken up again after its worker died does not start over)."""
    with claim("text_index_job", job.pk) as mine:
        if not mine:
            return
        job.refresh_from_db()
        if job.is_finished:
            return
        TextIndexJob.objects.filter(pk=job.pk).update(status=TextIndexJob.Status.RUNNING)
        with disk_files.ImageReader() as reader:
            while chunk := list(
                files_to_index(job.dossier).filter(pk__gt=job.last_file_id).order_by("pk")[:CHUNK_FILES]
            ):
                for record in chunk:
                    if has_text(record) and not record.mime.startswith(("image/", "video/")):
                        _extract_again(record, reader)
                with transaction.atomic():
                    file_texts_save(chunk)
                    for record in chunk:
                        if text_failed(record) or getattr(record, "extracted_text", None):
                            record.save(update_fields=["findings"])
                    job.files_done += len(chunk)
                    job.errors += sum(text_failed(record) for record in chunk)
                    job.last_file_id = chunk[-1].pk
                    job.save(update_fields=["files_done", "errors", "last_file_id"])
        with transaction.atomic():
            job.status, job.finished_at = TextIndexJob.Status.DONE, timezone.now()
            job.files_done = max(job.files_done, job.files_total)
            job.save(update_fields=["status", "finished_at", "files_done"])
            audit_record(actor=None, action="text_index.done", target=job, files=job.files_done, errors=job.errors)


def _extract_again(record: EvidenceFile, reader) -> None:
    if record.container_id and not record.image_locator:
        return  # inside an archive: only its name for now
    try:
        content = _read_whole(record, reader)
    except sources.READ_ERRORS as error:
        record.text_error = message("file.unreadable", reason=str(error))
        record.findings = [*record.findings, record.text_error]
        return
    if content is not None and record.sha256 is not None and hashlib.sha256(content).digest() != bytes(record.sha256):
        record.text_error = message("text.changed_since_ingest")
        record.findings = [*record.findings, record.text_error]
        return
    file_text_extract(record, content)


def _read_whole(record: EvidenceFile, reader) -> bytes | None:
    """The file's bytes, or None past TEXT_MAX_FILE_BYTES (not read further)."""
    path = sources.real_path(record.source_path)
    locator = record.image_locator
    blocks = (
        reader.read(path, locator["offset"], locator["inode"], locator.get("type")) if locator else file_blocks(path)
    )
    content = bytearray()
    for block in blocks:
        content.extend(block)
        if len(content) > settings.TEXT_MAX_FILE_BYTES:
            return None
    return bytes(content)


def text_index_job_fail(*, job_id: int, reason) -> None:
    """Record why the job stopped, so that it does not stay "running" for good."""
    with transaction.atomic():
        job = TextIndexJob.objects.select_for_update().get(pk=job_id)
        if job.is_finished:
            return
        job.status, job.error, job.finished_at = TextIndexJob.Status.FAILED, reason, timezone.now()
        job.save(update_fields=["status", "error", "finished_at"])
        audit_record(actor=None, action="text_index.failed", target=job, files=job.files_done)
