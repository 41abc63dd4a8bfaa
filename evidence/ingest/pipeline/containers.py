"""Containers found among the files: an archive's members and a disk image's files join the job."""

import io

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from config.messages import Message, message, reason_of
from evidence.ingest import archive_passwords, disk_files, disk_images, filetypes, sources
from evidence.ingest.archive_reading import archive_limits, archive_stream
from evidence.ingest.archives.members import Member, WalkReport
from evidence.ingest.archives.walk import container_kind, walk
from evidence.ingest.filerows import batch_files_add, insert_files
from evidence.ingest.pipeline.files import JobContents, image_facts, save_media_details, video_facts
from evidence.ingest.pipeline.state import batch_kind_of, expansion_batch_create, ingest_job_refresh, job_cancelled
from evidence.models import EvidenceFile, IngestBatch, IngestJob
from evidence.search.ocr import is_ocr_candidate, ocr_batch_create
from evidence.search.store import file_text_extract, file_texts_save, has_text, text_failed
from evidence.triage.matching import match_files
from hashing.hashers import ALGORITHMS

ARCHIVE_CHUNK = 200


def expand_image(batch: IngestBatch) -> list[int]:
    """List the disk image's files (deleted ones included) into new batches; return their ids.

    The new batches are hashed like any others, by any worker. A run again replaces what a first
    run listed.
    """
    container = batch.container
    job = batch.job
    _image_batches_forget(batch, job)
    new_batches: list[int] = []
    filling: dict[str, list[disk_files.ImageFile]] = {IngestBatch.Kind.FILES: [], IngestBatch.Kind.MEDIA: []}

    def close_batch(kind: str) -> None:
        new_batches.append(_image_batch_create(batch, job, container, kind, filling[kind]))
        filling[kind].clear()

    _image_walk(container, filling, close_batch)
    for kind, pending in filling.items():
        if pending:
            close_batch(kind)
    # The media is read once more, from start to end, to check its acquisition hashes.
    new_batches.append(expansion_batch_create(job, container, IngestBatch.Kind.VERIFY, parent=batch).pk)
    IngestBatch.objects.filter(pk=batch.pk).update(
        status=IngestBatch.Status.DONE,
        files_done=0,
        finished_at=timezone.now(),  # its files count in theirs
    )
    ingest_job_refresh(job=job)
    return new_batches


def _image_batches_forget(batch: IngestBatch, job: IngestJob) -> None:
    """What a first run of the batch listed goes, with its files and its counts in the job's totals."""
    for child in batch.children.all():
        IngestJob.objects.filter(pk=job.pk).update(
            files_total=F("files_total") - child.files_count, bytes_total=F("bytes_total") - child.bytes_count
        )
        child.files.all().delete()
        child.delete()


def _image_walk(container: EvidenceFile, filling: dict[str, list[disk_files.ImageFile]], close_batch) -> None:
    """Walk the image's file systems into ``filling`` by batch kind, ``close_batch(kind)`` once a
    kind holds INGEST_BATCH_FILES; the image's findings (its damage, a part unreadable) go on the
    container."""
    path = sources.real_path(container.source_path)
    try:
        # Listed around the damage, if any; the files' bytes are read strictly by their batches.
        image = disk_images.open_image(path, fill_damage=True)
        try:
            findings: list[Message] = []  # the image's own (a bad partition table entry)
            for found in disk_files.walk_image(image, container.path, findings):
                kind = batch_kind_of(found.path)
                filling[kind].append(found)
                if len(filling[kind]) >= settings.INGEST_BATCH_FILES:
                    close_batch(kind)
            if damage := disk_images.damage_of(image):
                findings.append(damage_finding(damage))
            if findings:
                container.findings = [*container.findings, *findings]
                container.save(update_fields=["findings"])
        finally:
            image.close()
    except disk_images.IMAGE_ERRORS as error:
        container.findings = [*container.findings, message("disk.unreadable_further", reason=reason_of(error))]
        container.save(update_fields=["findings"])


def _image_batch_create(
    batch: IngestBatch, job: IngestJob, container: EvidenceFile, kind: str, pending: list[disk_files.ImageFile]
) -> int:
    """A batch of the image's ``pending`` files, with their listing and the job's totals, in one
    transaction; return its id."""
    with transaction.atomic():
        child = expansion_batch_create(job, container, kind, parent=batch)
        child.files_count = len(pending)
        child.bytes_count = sum(found.size for found in pending)
        child.save(update_fields=["files_count", "bytes_count"])
        # Files written once, with their results (evidence.models.BatchListing); an entry the
        # image describes but that cannot be read gets its row now, with its error.
        now = timezone.now()
        files = [_image_file_listed(found, now) for found in pending]
        common = {"container_id": container.pk, "source_path": container.source_path}
        batch_files_add(child, container.exhibit_id, files, common)
        IngestJob.objects.filter(pk=job.pk).update(
            files_total=F("files_total") + child.files_count, bytes_total=F("bytes_total") + child.bytes_count
        )
    return child.pk


def _image_file_listed(found: disk_files.ImageFile, now) -> tuple[dict, dict | None]:
    """The listing of one file of the image, and the values of its row if it is written now (an
    entry that cannot be read, with its error, or one with no inode), else None."""
    return (
        {
            "path": found.path,
            "image_locator": (
                {"offset": found.offset, "inode": found.inode, "type": found.file_system_type}
                if found.inode is not None
                else None
            ),
            "size": found.size,
            "inode": found.inode,
            "is_deleted": found.deleted,
            "created_time": found.created,
            "modified_time": found.modified,
            "accessed_time": found.accessed,
        },
        (
            {
                "error": found.error,
                "triage": EvidenceFile.Triage.ERROR if found.error else EvidenceFile.Triage.PENDING,
                "processed_at": now if found.error else None,
            }
            if found.error or found.inode is None
            else None
        ),
    )


def damage_finding(damage: list[disk_images.Damage]) -> Message:
    first = damage[0]
    return message(
        "disk.damaged", bytes=sum(d.size for d in damage), places=len(damage), offset=first.offset, reason=first.reason
    )


def expand_archive(batch: IngestBatch) -> list[int]:
    """Walk the batch's archive and add its members (nested archives included) to the job; return
    the id of its OCR batch when its members have pictures to read, to be queued."""
    container = batch.container
    # A batch run again starts over: what its first run added goes.
    stale = batch.files.all()
    stale_count = stale.count()
    if stale_count:
        stale_bytes = sum(stale.values_list("size", flat=True))
        stale.delete()
        IngestJob.objects.filter(pk=batch.job_id).update(
            files_total=F("files_total") - stale_count, bytes_total=F("bytes_total") - stale_bytes
        )
    report = WalkReport(password=archive_passwords.decrypt(IngestJob.objects.get(pk=batch.job_id).archive_password))
    chunk: list[EvidenceFile] = []
    counters = {"files": 0, "bytes": 0, "errors": 0}
    contents = JobContents(batch.job_id)

    pictures = []  # a member whose pictures are read (OCR): the archive gets an OCR batch

    def flush() -> None:
        if not pictures:
            pictures.extend(member for member in chunk if is_ocr_candidate(member))
        match_files(chunk)
        with transaction.atomic():
            insert_files(chunk)
            save_media_details(chunk)
            file_texts_save(chunk, new=True)  # their names and the documents' text
            counters["files"] += len(chunk)
            counters["bytes"] += sum(member.size for member in chunk)
            counters["errors"] += sum(1 for member in chunk if member.error or text_failed(member))
            IngestBatch.objects.filter(pk=batch.pk).update(
                files_count=counters["files"],
                files_done=counters["files"],
                bytes_done=counters["bytes"],
                errors=counters["errors"],
            )
            IngestJob.objects.filter(pk=batch.job_id).update(
                files_total=F("files_total") + len(chunk), bytes_total=F("bytes_total") + sum(m.size for m in chunk)
            )
        chunk.clear()

    try:
        with archive_stream(container) as stream:
            head = stream.read(filetypes.SNIFF_BYTES)
            stream.seek(0)
            kind = container_kind(head, container.mime, container.path)
            for member in walk(stream, kind, container.path, archive_limits(), report, container.size):
                chunk.append(_member_record(batch, container, member, contents))
                if len(chunk) >= ARCHIVE_CHUNK:
                    flush()
                    if job_cancelled(batch.job_id):
                        return []
    except sources.READ_ERRORS as error:
        report.findings.append(message("archive.unreadable", archive=container.path, reason=reason_of(error)))
    if chunk:
        flush()
    with transaction.atomic():
        if report.findings:
            container.findings = [*container.findings, *report.findings]
            container.save(update_fields=["findings"])
        IngestBatch.objects.filter(pk=batch.pk).update(status=IngestBatch.Status.DONE, finished_at=timezone.now())
        ocr = ocr_batch_create(batch=batch, files=pictures)  # its members' pictures, on the `media` queue
    return [ocr.pk] if ocr is not None else []


def _member_record(batch: IngestBatch, container: EvidenceFile, member: Member, contents: JobContents) -> EvidenceFile:
    """The member's row; an image or video already decoded in this job (by content) is not decoded again."""
    record = EvidenceFile(
        exhibit_id=container.exhibit_id,
        job_id=batch.job_id,
        batch=batch,
        path=member.path,
        source_path=container.source_path,
        container=container,
        archive_path=member.archive_path,
        size=member.size,
        # Zip times carry no zone: read in the examiner's zone (TIME_ZONE).
        modified_time=timezone.make_aware(member.modified)
        if member.modified and timezone.is_naive(member.modified)
        else member.modified,
        error=member.error,
        findings=member.findings,
        processed_at=timezone.now(),
    )
    if member.digests is not None:
        record.md5, record.sha1, record.sha256 = (member.digests[name] for name in ALGORITHMS)
        record.mime = member.mime or filetypes.mime_of(member.head)
        if member.size == 0:
            record.error = message("file.empty")
        elif record.mime.startswith(("image/", "video/")):
            facts = image_facts if record.mime.startswith("image/") else video_facts
            if (twin := contents.twin_of(record)) is not None:
                contents.reuse(record, twin)
            elif member.content is not None:
                facts(record, io.BytesIO(member.content))
            else:
                record.findings = [*record.findings, message("archive.member_too_large_to_decode")]
            contents.remember(record)
        elif has_text(record):
            file_text_extract(record, member.content)  # kept by the walk when small enough
    return record
