"""Processing one batch: its files hashed, matched in one query and saved in one transaction."""

import logging
import time

from django.db import transaction
from django.utils import timezone

from config.work_locks import claim
from evidence.ingest import disk_files
from evidence.ingest.batch_readers import batch_reader_for
from evidence.ingest.filerows import insert_files, listed_records, listing_to_rows, update_files
from evidence.ingest.pipeline.containers import expand_archive, expand_image
from evidence.ingest.pipeline.files import (
    DECODED_FIELDS,
    FileRead,
    JobContents,
    hash_finish,
    hash_read,
    save_media_details,
)
from evidence.ingest.pipeline.state import (
    compact_counts,
    expansion_batch_create,
    ingest_job_refresh,
    job_cancelled,
)
from evidence.models import BatchListing, EvidenceFile, IngestBatch
from evidence.search.ocr import ocr_batch_create, ocr_batch_process
from evidence.search.store import file_texts_save, text_failed
from evidence.triage.matching import match_files

log = logging.getLogger(__name__)
PROGRESS_EVERY_SECONDS = 1.0
COMPACT_EVERY_BATCHES = 10
# Small files are typed (libmagic) in groups, one after the other, after they are read and hashed
# (``hash_read``): at most this many files, holding at most this many bytes meanwhile.
TYPE_TOGETHER_FILES = 32
TYPE_TOGETHER_BYTES = 32 << 20


def ingest_batch_process(*, batch: IngestBatch, worker: str = "") -> list[int]:
    """Process one batch; return the ids of archive batches it created, to be queued.

    Idempotent: a batch run again (its worker was killed) starts its counters over and redoes
    only what was not saved.
    """
    if batch.status == IngestBatch.Status.DONE:
        # Delivered again after its worker died between saving it and closing the job: close it now.
        ingest_job_refresh(job=batch.job)
        return []
    with claim("ingest_batch", batch.pk) as mine:
        if not mine:
            log.info("ingest batch %s is being processed by another worker", batch.pk)
            return []
        batch.refresh_from_db(fields=["status", "attempts"])  # its holder may have just finished it
        if batch.status == IngestBatch.Status.DONE:
            return []
        if job_cancelled(batch.job_id):
            listing_to_rows(batch)  # its files stay listed, pending, as rows
            return []
        return _process_claimed(batch, worker)


def _process_claimed(batch: IngestBatch, worker: str) -> list[int]:
    IngestBatch.objects.filter(pk=batch.pk).update(
        status=IngestBatch.Status.RUNNING,
        started_at=timezone.now(),
        files_done=0,
        bytes_done=0,
        errors=0,
        attempts=batch.attempts + 1,
        worker=worker[:200],
    )
    if batch.kind == IngestBatch.Kind.ARCHIVE:
        ocr = expand_archive(batch)
        ingest_job_refresh(job=batch.job)
        return ocr
    if batch.kind == IngestBatch.Kind.IMAGE:
        return expand_image(batch)
    if batch.kind == IngestBatch.Kind.VERIFY:
        _verify_image(batch)
        return []
    if batch.kind == IngestBatch.Kind.OCR:
        ocr_batch_process(batch)
        ingest_job_refresh(job=batch.job)
        return []
    if batch.kind == IngestBatch.Kind.CHAT:
        reader = batch_reader_for(batch.kind)
        if reader is None:  # the chats app is not installed: the task records this on the job
            raise LookupError("no reader of chat exports is installed")
        reader(batch=batch)
        ingest_job_refresh(job=batch.job)
        return []
    return _process_files(batch)


def _verify_image(batch: IngestBatch) -> None:
    """Read the disk image's media once and check its acquisition hashes (evidence.custody.services.image_verify)."""
    from evidence.custody.services import image_verify

    last_check = [time.monotonic()]

    def should_stop() -> bool:
        if time.monotonic() - last_check[0] < PROGRESS_EVERY_SECONDS:
            return False
        last_check[0] = time.monotonic()
        return job_cancelled(batch.job_id)

    if image_verify(evidence_file=batch.container, should_stop=should_stop) is None:
        return
    IngestBatch.objects.filter(pk=batch.pk).update(status=IngestBatch.Status.DONE, finished_at=timezone.now())
    ingest_job_refresh(job=batch.job)


def _process_files(batch: IngestBatch) -> list[int]:
    rows = list(batch.files.all())  # written at listing (an image's files, errors, chat exports...)
    listed = listed_records(batch)  # the rest, written here once, with their results
    files = sorted(rows + listed, key=lambda f: (f.pk is None, f.pk or 0)) if rows and listed else rows or listed
    files_done = bytes_done = errors = 0
    last_progress = time.monotonic()
    to_expand: list[tuple[EvidenceFile, str]] = []
    contents = JobContents(batch.job_id)
    reads: list[FileRead] = []  # read and hashed, to be typed together and finished, in order
    held = [0]  # the bytes they keep in memory

    def finish_reads() -> None:
        for read in reads:
            read.type()
        for read in reads:
            if expand := hash_finish(read, contents=contents):
                to_expand.append((read.record, expand))
        reads.clear()
        held[0] = 0

    with disk_files.ImageReader() as reader:
        for evidence_file in files:
            if evidence_file.triage == EvidenceFile.Triage.PENDING and (read := hash_read(evidence_file, reader)):
                reads.append(read)
                held[0] += read.held
                # A file of several blocks was typed as it was read and may hold a whole video: it
                # is finished at once, with the group before it.
                if read.typed or len(reads) >= TYPE_TOGETHER_FILES or held[0] >= TYPE_TOGETHER_BYTES:
                    finish_reads()
            files_done += 1
            bytes_done += evidence_file.size
            if time.monotonic() - last_progress >= PROGRESS_EVERY_SECONDS:
                finish_reads()
                if job_cancelled(batch.job_id):
                    listing_to_rows(batch)
                    return []
                errors = sum(bool(f.error) for f in files[:files_done])
                IngestBatch.objects.filter(pk=batch.pk).update(
                    files_done=files_done, bytes_done=bytes_done, errors=errors
                )
                last_progress = time.monotonic()
        finish_reads()
    return _files_save(batch, files, rows, listed, to_expand, files_done, bytes_done)


def _files_save(
    batch: IngestBatch,
    files: list[EvidenceFile],
    rows: list[EvidenceFile],
    listed: list[EvidenceFile],
    to_expand: list[tuple[EvidenceFile, str]],
    files_done: int,
    bytes_done: int,
) -> list[int]:
    """Match the batch's files in one query and save them, the batch done and the containers found
    to expand, in one transaction; return the ids of the expansion batches, to be queued."""
    # A document whose text could not be read counts as an error of the batch (the file is hashed).
    errors = sum(bool(f.error) or text_failed(f) for f in files)
    match_files(files)
    with transaction.atomic():
        insert_files(listed)
        save_results(rows)
        save_media_details(files)
        # Their names, and the documents' text read from the same bytes (those inserted now have none to replace).
        file_texts_save(rows)
        file_texts_save(listed, new=True)
        BatchListing.objects.filter(batch=batch).delete()
        IngestBatch.objects.filter(pk=batch.pk).update(
            status=IngestBatch.Status.DONE,
            files_done=files_done,
            bytes_done=bytes_done,
            errors=errors,
            finished_at=timezone.now(),
        )
        already = set(
            IngestBatch.objects.filter(container__in=[f for f, _ in to_expand]).values_list("container_id", flat=True)
        )
        expansions = [expansion_batch_create(batch.job, f, kind).pk for f, kind in to_expand if f.pk not in already]
        if ocr := ocr_batch_create(batch=batch, files=files):  # its pictures read next, on the `media` queue
            expansions.append(ocr.pk)
    ingest_job_refresh(job=batch.job)
    if batch.number % COMPACT_EVERY_BATCHES == 0:
        compact_counts(batch.job.exhibit_id)
    return expansions


RESULT_FIELDS = (
    "size",
    "mime",
    "md5",
    "sha1",
    "sha256",
    *DECODED_FIELDS,
    "findings",
    "triage",
    "match_list_id",
    "match_algorithm",
    "match_category",
    "match_distance",
    "match_file_id",
    "processed_at",
)


def save_results(files: list[EvidenceFile]) -> None:
    """Write the results of processing (``RESULT_FIELDS``) of saved files, in one statement."""
    update_files(files, RESULT_FIELDS)
