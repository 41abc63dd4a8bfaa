import logging
import os
import time
from pathlib import Path

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from audit.services import audit_record
from cases.models import Dossier
from evidence import filetypes, sources
from evidence.models import EvidenceFile, Exhibit, IngestBatch, IngestJob, IngestSource
from evidence.store import store_stream
from hashing.hashers import ALGORITHMS, digest_stream
from hashing.matching import match_files

log = logging.getLogger(__name__)
PROGRESS_EVERY_SECONDS = 1.0


@transaction.atomic
def exhibit_register(
    *, dossier: Dossier, kind: str, seal_number: str, description: str = "", by, ip: str | None = None
) -> Exhibit:
    exhibit = Exhibit.objects.create(
        dossier=dossier, kind=kind, seal_number=seal_number, description=description, created_by=by
    )
    audit_record(actor=by, action="exhibit.register", target=exhibit, ip=ip)
    return exhibit


@transaction.atomic
def ingest_job_create_from_uploads(*, exhibit: Exhibit, uploads, by, ip: str | None = None) -> IngestJob:
    """Store uploaded files in the evidence store and queue a job that ingests them.

    A zip archive (recognised by content, not by name) is ingested member by member.
    """
    stored = []
    for upload in uploads:
        blob = store_stream(upload, settings.EVIDENCE_ROOT)
        kind = IngestSource.Kind.ZIP if sources.is_zip(str(blob.path)) else IngestSource.Kind.FILE
        stored.append((kind, blob, os.path.basename(upload.name) or "unnamed"))
    names = ", ".join(name for _, _, name in stored)
    job = IngestJob.objects.create(exhibit=exhibit, source_label=f"upload: {names}"[:500], created_by=by)
    IngestSource.objects.bulk_create(
        IngestSource(job=job, kind=kind, path=str(blob.path), display_name=name) for kind, blob, name in stored
    )
    audit_record(
        actor=by,
        action="ingest.create",
        target=job,
        ip=ip,
        uploads=[{"name": name, "sha256": blob.sha256.hex(), "size": blob.size} for _, blob, name in stored],
    )
    _queue_enumeration(job)
    return job


@transaction.atomic
def ingest_job_create_from_path(*, exhibit: Exhibit, path: Path, by, queue: bool = True) -> IngestJob:
    """Queue a job that reads a folder, a file or a zip archive where it lies on the server."""
    path = path.resolve()
    if path.is_dir():
        kind = IngestSource.Kind.FOLDER
    elif path.is_file():
        kind = IngestSource.Kind.ZIP if sources.is_zip(str(path)) else IngestSource.Kind.FILE
    else:
        raise FileNotFoundError(f"{path} is neither a file nor a folder.")
    job = IngestJob.objects.create(exhibit=exhibit, source_label=str(path)[:500], created_by=by)
    IngestSource.objects.create(job=job, kind=kind, path=str(path), display_name=path.name)
    audit_record(actor=by, action="ingest.create", target=job, path=str(path))
    if queue:
        _queue_enumeration(job)
    return job


def _queue_enumeration(job: IngestJob) -> None:
    from evidence.tasks import ingest_enumerate

    transaction.on_commit(lambda: ingest_enumerate.delay(job.pk))


def ingest_job_enumerate(*, job: IngestJob) -> list[int]:
    """List the job's sources into batches of files; return the ids of the batches to queue.

    Batches hold at most INGEST_BATCH_FILES files and about INGEST_BATCH_BYTES bytes. Runs once:
    a job that is already past enumeration returns its unfinished batches.
    """
    with transaction.atomic():
        job = IngestJob.objects.select_for_update().get(pk=job.pk)
        if job.status != IngestJob.Status.QUEUED:
            return list(job.batches.exclude(status=IngestBatch.Status.DONE).values_list("pk", flat=True))
        job.status = IngestJob.Status.ENUMERATING
        job.started_at = timezone.now()
        job.save(update_fields=["status", "started_at"])
    try:
        with transaction.atomic():
            batch_ids = _enumerate(job)
    except Exception as error:  # noqa: BLE001 - the job must end failed, with its reason, not stay stuck
        log.exception("enumeration of ingest job %s failed", job.pk)
        job.status = IngestJob.Status.FAILED
        job.error = f"Could not list the source: {error}"
        job.finished_at = timezone.now()
        job.save(update_fields=["status", "error", "finished_at"])
        audit_record(actor=None, action="ingest.failed", target=job, error=job.error)
        return []
    if not batch_ids:
        ingest_job_refresh(job=job)
    return batch_ids


def _enumerate(job: IngestJob) -> list[int]:
    batch_ids: list[int] = []
    pending: list[sources.FoundFile] = []
    pending_bytes = 0
    files_total = bytes_total = 0

    def close_batch() -> None:
        nonlocal pending_bytes
        batch = IngestBatch.objects.create(
            job=job, number=len(batch_ids) + 1, files_count=len(pending), bytes_count=pending_bytes
        )
        EvidenceFile.objects.bulk_create(
            EvidenceFile(
                exhibit_id=job.exhibit_id,
                job=job,
                batch=batch,
                path=found.path,
                source_path=found.source_path,
                archive_member=found.member,
                size=found.size,
                triage=EvidenceFile.Triage.ERROR if found.error else EvidenceFile.Triage.PENDING,
                error=found.error,
                processed_at=timezone.now() if found.error else None,
            )
            for found in pending
        )
        batch_ids.append(batch.pk)
        pending.clear()
        pending_bytes = 0

    for source in job.sources.all():
        for found in sources.LISTERS[source.kind](source.path, source.display_name):
            pending.append(found)
            pending_bytes += found.size
            files_total += 1
            bytes_total += found.size
            if len(pending) >= settings.INGEST_BATCH_FILES or pending_bytes >= settings.INGEST_BATCH_BYTES:
                close_batch()
    if pending:
        close_batch()
    job.files_total = files_total
    job.bytes_total = bytes_total
    job.status = IngestJob.Status.RUNNING
    job.save(update_fields=["files_total", "bytes_total", "status"])
    return batch_ids


def ingest_batch_process(*, batch: IngestBatch) -> None:
    """Hash every pending file of the batch in one read each, then match them all in one query.

    Idempotent: a batch run again (its worker was killed) starts its counters over and redoes
    only what was not saved; results are saved in one transaction at the end.
    """
    if batch.status == IngestBatch.Status.DONE:
        return
    now = timezone.now()
    IngestBatch.objects.filter(pk=batch.pk).update(
        status=IngestBatch.Status.RUNNING,
        started_at=now,
        files_done=0,
        bytes_done=0,
        errors=0,
        attempts=batch.attempts + 1,
    )
    files = list(batch.files.all())
    files_done = bytes_done = errors = 0
    last_progress = time.monotonic()
    with sources.Opener() as opener:
        for evidence_file in files:
            if evidence_file.triage == EvidenceFile.Triage.PENDING:
                _hash_one(evidence_file, opener)
            files_done += 1
            bytes_done += evidence_file.size
            errors += bool(evidence_file.error)
            if time.monotonic() - last_progress >= PROGRESS_EVERY_SECONDS:
                IngestBatch.objects.filter(pk=batch.pk).update(
                    files_done=files_done, bytes_done=bytes_done, errors=errors
                )
                last_progress = time.monotonic()
    _match(files)
    with transaction.atomic():
        _save_results(files)
        IngestBatch.objects.filter(pk=batch.pk).update(
            status=IngestBatch.Status.DONE,
            files_done=files_done,
            bytes_done=bytes_done,
            errors=errors,
            finished_at=timezone.now(),
        )
    ingest_job_refresh(job=batch.job)


RESULT_FIELDS = (
    "size",
    "mime",
    "md5",
    "sha1",
    "sha256",
    "triage",
    "match_list_id",
    "match_algorithm",
    "match_category",
    "error",
    "processed_at",
)


def _save_results(files: list[EvidenceFile]) -> None:
    """One UPDATE per file, sent as one executemany (pipelined by psycopg 3).

    Django's bulk_update builds a CASE expression per field and row: it took three quarters of
    a small-files job's time in the benchmark.
    """
    table = EvidenceFile._meta.db_table
    assignments = ", ".join(f"{connection.ops.quote_name(field)} = %s" for field in RESULT_FIELDS)
    rows = [[getattr(f, field) for field in RESULT_FIELDS] + [f.pk] for f in files]
    with connection.cursor() as cursor:
        cursor.executemany(f"UPDATE {table} SET {assignments} WHERE id = %s", rows)  # noqa: S608 - names are ours


def _hash_one(evidence_file: EvidenceFile, opener: sources.Opener) -> None:
    head = bytearray()

    def sniff(block: bytes) -> None:
        if len(head) < filetypes.SNIFF_BYTES:
            head.extend(block[: filetypes.SNIFF_BYTES - len(head)])

    evidence_file.processed_at = timezone.now()
    try:
        with opener.open(evidence_file.source_path, evidence_file.archive_member) as stream:
            digests, size = digest_stream(stream, on_block=sniff)
    except sources.READ_ERRORS as error:
        evidence_file.error = f"unreadable: {error}"
        return
    evidence_file.md5, evidence_file.sha1, evidence_file.sha256 = (digests[name] for name in ALGORITHMS)
    evidence_file.size = size
    evidence_file.mime = filetypes.mime_of(bytes(head))
    if size == 0:
        evidence_file.error = "empty file (0 bytes)"
    elif evidence_file.mime.startswith("image/"):
        try:
            with opener.open(evidence_file.source_path, evidence_file.archive_member) as stream:
                evidence_file.error = filetypes.image_problem(stream)
        except sources.READ_ERRORS as error:
            evidence_file.error = f"unreadable: {error}"


def _match(files: list[EvidenceFile]) -> None:
    match_files(files, only_pending=True)


def ingest_job_refresh(*, job: IngestJob) -> IngestJob:
    """Derive the job's state from its batches; the last batch to finish closes the job."""
    with transaction.atomic():
        job = IngestJob.objects.select_for_update().get(pk=job.pk)
        if job.is_finished or job.status != IngestJob.Status.RUNNING:
            return job
        if job.batches.exclude(status=IngestBatch.Status.DONE).exists():
            return job
        job.status = IngestJob.Status.DONE
        job.finished_at = timezone.now()
        job.save(update_fields=["status", "finished_at"])
        errors = job.files.filter(error__gt="").count()
        audit_record(actor=None, action="ingest.done", target=job, files=job.files_total, errors=errors)
    return job
