"""The text of a dossier's files ingested before content search, or before their pictures were
read: read again, extracted, their pictures read (OCR) where their exhibit's switch says so, indexed.

A file is read where the ingest read it (a folder, a disk image); its SHA-256 is computed again on
the way and its text kept only if it is the one recorded at ingest (``evidence.search.reading``). The
members of an archive in a chunk are read from one walk of their archive (a huge archive whose
members span many chunks is walked once per chunk, up to the last of its members asked; a zip's or a
tar's other members are passed by unread).
"""

import logging

from django.db import transaction
from django.db.models import BooleanField, Exists, ExpressionWrapper, OuterRef, Q, Value
from django.utils import timezone

from audit.services import audit_record
from config.work_locks import claim
from evidence.background import background_job_fail
from evidence.ingest import disk_files
from evidence.ingest.archive_reading import chunk_after
from evidence.models import EvidenceFile, FileText, TextIndexJob
from evidence.search.ocr import exhibit_ocr_on, file_ocr_read, ocr_candidates, ocr_limits
from evidence.search.reading import contents_again
from evidence.search.store import file_ocr_texts_save, file_text_extract, file_texts_save, has_text, text_failed
from texts.limits import TextRefused

log = logging.getLogger(__name__)
CHUNK_FILES = 200


def files_to_index(dossier):
    """The dossier's files with no text row yet (ingested before content search), and the pictures
    and PDFs not read yet of its exhibits whose pictures are read. Each annotated ``named`` (its
    name indexed already) and ``to_read`` (its pictures to read)."""
    reading = [exhibit.pk for exhibit in dossier.exhibits.all() if exhibit_ocr_on(exhibit)]
    named = Exists(FileText.objects.filter(file=OuterRef("pk"), kind=FileText.Kind.NAME))
    read = Exists(FileText.objects.filter(file=OuterRef("pk"), kind=FileText.Kind.OCR))
    to_read = (
        ExpressionWrapper(Q(exhibit_id__in=reading) & ocr_candidates() & ~read, output_field=BooleanField())
        if reading
        else Value(False)
    )
    return (
        EvidenceFile.objects.filter(exhibit__dossier=dossier)
        .annotate(named=named, to_read=to_read)
        .filter(Q(named=False) | Q(to_read=True))
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
        languages = dict(job.dossier.exhibits.values_list("pk", "text_language"))
        with disk_files.ImageReader() as reader:
            while chunk := chunk_after(files_to_index(job.dossier), job.last_file_id, CHUNK_FILES):
                wanted = [record for record in chunk if _wants_text(record) or record.to_read]
                for record, content in contents_again(wanted, reader):
                    _read(record, content, languages.get(record.exhibit_id, ""))
                _chunk_save(job, chunk)
        with transaction.atomic():
            job.status, job.finished_at = TextIndexJob.Status.DONE, timezone.now()
            job.files_done = max(job.files_done, job.files_total)
            job.save(update_fields=["status", "finished_at", "files_done"])
            audit_record(actor=None, action="text_index.done", target=job, files=job.files_done, errors=job.errors)


def _chunk_save(job: TextIndexJob, chunk: list[EvidenceFile]) -> None:
    with transaction.atomic():
        file_texts_save([record for record in chunk if not record.named])
        file_ocr_texts_save([record for record in chunk if record.to_read])
        failed = [record for record in chunk if text_failed(record) or getattr(record, "ocr_error", None)]
        for record in chunk:
            if record in failed or getattr(record, "extracted_text", None) or getattr(record, "ocr_text", None):
                record.save(update_fields=["findings"])
        job.files_done += len(chunk)
        job.errors += len(failed)
        job.last_file_id = chunk[-1].pk
        job.save(update_fields=["files_done", "errors", "last_file_id"])


def _wants_text(record: EvidenceFile) -> bool:
    return not record.named and has_text(record) and not record.mime.startswith(("image/", "video/"))


def _read(record: EvidenceFile, content: "bytes | None | TextRefused", language: str) -> None:
    """Read what the file lacks from its bytes read once (``contents_again``): its text, its
    pictures' text, or both; or record why they could not be read."""
    wants_text = _wants_text(record)
    if isinstance(content, TextRefused):
        if wants_text:
            record.text_error = content.message
        if record.to_read:
            record.ocr_error = content.message
        record.findings = [*record.findings, content.message]
        return
    if wants_text:
        file_text_extract(record, content)
    if record.to_read:
        file_ocr_read(record, content, ocr_limits(language))


def text_index_job_fail(*, job_id: int, reason) -> None:
    """Record why it stopped, so that it does not stay "running" for good."""
    background_job_fail(TextIndexJob, pk=job_id, reason=reason, action="text_index.failed", progress="files_done")
