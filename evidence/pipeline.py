"""The ingestion pipeline that the Celery tasks run: list, hash, match, expand archives.

A job lists its sources into batches of files; any worker may take any batch. A batch hashes
each file in one read, matches the whole batch in one query and saves it in one transaction.
An archive found on the way gets a batch of its own that walks it (evidence.archives) and adds
its members. The job's state is derived from its batches.
"""

import io
import logging
import time

from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from audit.services import audit_record
from config.claims import claim
from evidence import archives, disk_images, filetypes, sealed, sources
from evidence.filerows import insert_files, update_files
from evidence.models import EvidenceFile, IngestBatch, IngestJob, TriageCount, VideoFrame
from evidence.store import store_derived
from hashing import perceptual
from hashing.hashers import ALGORITHMS, digest_chunks
from hashing.matching import match_files

log = logging.getLogger(__name__)
PROGRESS_EVERY_SECONDS = 1.0
COMPACT_EVERY_BATCHES = 10
ARCHIVE_CHUNK = 200


def archive_limits() -> archives.Limits:
    return archives.Limits(
        max_depth=settings.ARCHIVE_MAX_DEPTH,
        max_members=settings.ARCHIVE_MAX_MEMBERS,
        max_member_bytes=settings.ARCHIVE_MAX_MEMBER_BYTES,
        max_total_bytes=settings.ARCHIVE_MAX_TOTAL_BYTES,
        max_ratio=settings.ARCHIVE_MAX_RATIO,
        max_buffer_bytes=settings.ARCHIVE_MAX_BUFFER_BYTES,
    )


def ingest_job_enumerate(*, job: IngestJob) -> list[int]:
    """List the job's sources into batches of files; return the ids of the batches to queue.

    Batches hold at most INGEST_BATCH_FILES files and about INGEST_BATCH_BYTES bytes. Runs once:
    a job that is already past enumeration returns its unfinished batches; a job being listed by
    another worker returns none.
    """
    with claim("ingest_job", job.pk) as mine:
        if not mine:
            return []  # another worker is listing it now
        return _enumerate_claimed(job)


def _enumerate_claimed(job: IngestJob) -> list[int]:
    with transaction.atomic():
        job = IngestJob.objects.select_for_update().get(pk=job.pk)
        # ENUMERATING here means that the worker listing it died: its batches were rolled back.
        if job.status not in (IngestJob.Status.QUEUED, IngestJob.Status.ENUMERATING):
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
        job.archive_password = None
        job.save(update_fields=["status", "error", "finished_at", "archive_password"])
        audit_record(actor=None, action="ingest.failed", target=job, error=job.error)
        return []
    if not batch_ids:
        ingest_job_refresh(job=job)
    return batch_ids


def batch_kind_of(path: str) -> str:
    """Images and videos (by name) go to batches of their own, which the `media` queue takes."""
    return IngestBatch.Kind.MEDIA if filetypes.is_media_name(path) else IngestBatch.Kind.FILES


def _enumerate(job: IngestJob) -> list[int]:
    batch_ids: list[int] = []
    # One batch filling per kind, so that media work can run on hosts of its own.
    filling: dict[str, tuple[list[sources.FoundFile], list[int]]] = {
        kind: ([], [0]) for kind in (IngestBatch.Kind.FILES, IngestBatch.Kind.MEDIA)
    }
    files_total = bytes_total = 0

    def close_batch(kind: str) -> None:
        pending, pending_bytes = filling[kind]
        batch = IngestBatch.objects.create(
            job=job,
            number=len(batch_ids) + 1,
            kind=kind,
            files_count=len(pending),
            bytes_count=pending_bytes[0],
        )
        now = timezone.now()
        created = insert_files(
            [
                EvidenceFile(
                    exhibit_id=job.exhibit_id,
                    job=job,
                    batch=batch,
                    path=found.path,
                    source_path=found.source_path,
                    size=found.size,
                    inode=found.inode,
                    modified_time=found.modified,
                    accessed_time=found.accessed,
                    triage=EvidenceFile.Triage.ERROR if found.error else EvidenceFile.Triage.PENDING,
                    error=found.error,
                    processed_at=now if found.error else None,
                )
                for found in pending
            ]
        )
        batch_ids.append(batch.pk)
        for found, record in zip(pending, created, strict=True):
            if found.expand == "image":
                batch_ids.append(_expansion_batch(job, record, IngestBatch.Kind.IMAGE).pk)
        pending.clear()
        pending_bytes[0] = 0

    for source in job.sources.all():
        for found in sources.LISTERS[source.kind](source.path, source.display_name):
            kind = batch_kind_of(found.path)
            pending, pending_bytes = filling[kind]
            pending.append(found)
            pending_bytes[0] += found.size
            files_total += 1
            bytes_total += found.size
            if len(pending) >= settings.INGEST_BATCH_FILES or pending_bytes[0] >= settings.INGEST_BATCH_BYTES:
                close_batch(kind)
    for kind, (pending, _bytes) in filling.items():
        if pending:
            close_batch(kind)
    # A chat export (Telegram's result.json) among the files: its messages are read by a batch of its own.
    exports = job.files.filter(Q(path="result.json") | Q(path__endswith="/result.json"), container=None, error="")
    for export in exports:
        batch_ids.append(_expansion_batch(job, export, IngestBatch.Kind.CHAT).pk)
    job.files_total = files_total
    job.bytes_total = bytes_total
    job.status = IngestJob.Status.RUNNING
    job.save(update_fields=["files_total", "bytes_total", "status"])
    return batch_ids


def _cancelled(job_id: int) -> bool:
    return IngestJob.objects.filter(pk=job_id, status=IngestJob.Status.CANCELLED).exists()


def ingest_batch_process(*, batch: IngestBatch, worker: str = "") -> list[int]:
    """Process one batch; return the ids of archive batches it created, to be queued.

    Idempotent: a batch run again (its worker was killed) starts its counters over and redoes
    only what was not saved.
    """
    if batch.status == IngestBatch.Status.DONE or _cancelled(batch.job_id):
        return []
    with claim("ingest_batch", batch.pk) as mine:
        if not mine:
            log.info("ingest batch %s is being processed by another worker", batch.pk)
            return []
        batch.refresh_from_db(fields=["status", "attempts"])  # its holder may have just finished it
        if batch.status == IngestBatch.Status.DONE:
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
        _expand_archive(batch)
        ingest_job_refresh(job=batch.job)
        return []
    if batch.kind == IngestBatch.Kind.IMAGE:
        return _expand_image(batch)
    if batch.kind == IngestBatch.Kind.VERIFY:
        _verify_image(batch)
        return []
    if batch.kind == IngestBatch.Kind.CHAT:
        from chats.services import chat_export_read

        chat_export_read(batch=batch)
        ingest_job_refresh(job=batch.job)
        return []
    return _process_files(batch)


def _verify_image(batch: IngestBatch) -> None:
    """Read the disk image's media once and check its acquisition hashes (evidence.services.image_verify)."""
    from evidence.services import image_verify

    last_check = [time.monotonic()]

    def should_stop() -> bool:
        if time.monotonic() - last_check[0] < PROGRESS_EVERY_SECONDS:
            return False
        last_check[0] = time.monotonic()
        return _cancelled(batch.job_id)

    if image_verify(evidence_file=batch.container, should_stop=should_stop) is None:
        return
    IngestBatch.objects.filter(pk=batch.pk).update(status=IngestBatch.Status.DONE, finished_at=timezone.now())
    ingest_job_refresh(job=batch.job)


def _process_files(batch: IngestBatch) -> list[int]:
    files = list(batch.files.all())
    files_done = bytes_done = errors = 0
    last_progress = time.monotonic()
    to_expand: list[tuple[EvidenceFile, str]] = []
    contents = JobContents(batch.job_id)
    with disk_images.ImageReader() as reader:
        for evidence_file in files:
            if evidence_file.triage == EvidenceFile.Triage.PENDING:
                if expand := _hash_one(evidence_file, reader, contents=contents):
                    to_expand.append((evidence_file, expand))
            files_done += 1
            bytes_done += evidence_file.size
            errors += bool(evidence_file.error)
            if time.monotonic() - last_progress >= PROGRESS_EVERY_SECONDS:
                if _cancelled(batch.job_id):
                    return []
                IngestBatch.objects.filter(pk=batch.pk).update(
                    files_done=files_done, bytes_done=bytes_done, errors=errors
                )
                last_progress = time.monotonic()
    match_files(files)
    with transaction.atomic():
        save_results(files)
        save_video_frames(files)
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
        expansions = [_expansion_batch(batch.job, f, kind).pk for f, kind in to_expand if f.pk not in already]
    ingest_job_refresh(job=batch.job)
    if batch.number % COMPACT_EVERY_BATCHES == 0:
        _compact_counts(batch.job.exhibit_id)
    return expansions


def _compact_counts(exhibit_id: int) -> None:
    """Fold the exhibit's kept totals now and then (each saved file appends two rows to TriageCount),
    so that the pages sum a handful of rows."""
    if connection.vendor != "postgresql":
        return
    try:
        with transaction.atomic():
            TriageCount.objects.compact([exhibit_id])
    except DatabaseError:  # another worker folding the same rows at the same moment: theirs will do
        log.info("totals of exhibit %s not folded this time", exhibit_id)


def _expansion_batch(job: IngestJob, container: EvidenceFile, kind: str, parent=None) -> IngestBatch:
    last = job.batches.order_by("-number").values_list("number", flat=True).first() or 0
    return IngestBatch.objects.create(
        job=job, number=last + 1, kind=kind, container=container, bytes_count=container.size, parent=parent
    )


def _hash_one(
    evidence_file: EvidenceFile, reader: disk_images.ImageReader, *, contents: "JobContents | None" = None
) -> str:
    """Hash one file in one read and type it by content; decode an image from that same read.

    An image or video whose content (size and SHA-256) was already decoded in this job takes what
    that decode found from ``contents`` instead of being decoded again.
    Return what to expand next: "archive", "image" (a disk image found among files) or "".
    """
    head = bytearray()
    kept = bytearray()  # the whole content, when it is media small enough to decode in memory
    state = {"keep": None, "mime": "application/x-empty"}
    path = sources.real_path(evidence_file.source_path)
    locator = evidence_file.image_locator

    def sniff(block: bytes) -> None:
        if len(head) < disk_images.HEAD_BYTES * 2:
            head.extend(block[: disk_images.HEAD_BYTES * 2 - len(head)])
        if state["keep"] is None:  # the type and what to keep are decided on the first block
            state["mime"] = mime = filetypes.mime_of(bytes(block[: filetypes.SNIFF_BYTES]))
            decodable = mime.startswith("image/") or (mime.startswith("video/") and locator)
            state["keep"] = bool(decodable) and evidence_file.size <= settings.ARCHIVE_MAX_BUFFER_BYTES
        if state["keep"]:
            if len(kept) + len(block) > settings.ARCHIVE_MAX_BUFFER_BYTES:
                state["keep"] = False
                kept.clear()
            else:
                kept.extend(block)

    evidence_file.processed_at = timezone.now()
    content = reader.read(path, locator["offset"], locator["inode"]) if locator else _file_blocks(path)
    try:
        digests, size = digest_chunks(content, on_block=sniff)
    except sources.READ_ERRORS as error:
        evidence_file.error = f"unreadable: {error}"
        return ""
    evidence_file.md5, evidence_file.sha1, evidence_file.sha256 = (digests[name] for name in ALGORITHMS)
    evidence_file.size = size
    evidence_file.mime = state["mime"]
    in_memory = io.BytesIO(kept) if state["keep"] else None
    media = evidence_file.mime.startswith(("image/", "video/"))
    if size == 0:
        evidence_file.error = "empty file (0 bytes)"
    elif media and contents is not None and (twin := contents.twin_of(evidence_file)) is not None:
        contents.reuse(evidence_file, twin)
    elif evidence_file.mime.startswith("image/"):
        if in_memory is not None:
            image_facts(evidence_file, in_memory)
        else:
            evidence_file.findings = [*evidence_file.findings, "image too large to decode in memory"]
    elif evidence_file.mime.startswith("video/"):
        if not locator:
            video_facts(evidence_file, sources.video_input(path))  # PyAV reads the file where it lies
        elif in_memory is not None:
            video_facts(evidence_file, in_memory)
        else:
            evidence_file.findings = [*evidence_file.findings, "video too large to sample in memory"]
    if media and size and contents is not None:
        contents.remember(evidence_file)
    if archives.archive_kind(bytes(head)):
        return "archive"
    if not locator and disk_images.image_kind(bytes(head)):
        return "image"
    return ""


# What decoding an image or a video found: the same for every copy of the same content.
DECODED_FIELDS = (
    "phash",
    "pdq",
    "pdq_quality",
    "pdq_variants",
    "phash_variants",
    "width",
    "height",
    "thumbnail",
    "duration",
    "error",
)
DECODE_FINDINGS = ("image too large to decode in memory", "video too large to sample in memory")


class JobContents:
    """The images and videos of one job already decoded, by content: the same photo found at two
    paths is decoded, hashed perceptually and thumbnailed once, and both paths get the result.

    Content is the same only when size and SHA-256 are (never on a partial digest): two different
    files of the same size are never merged. Each path keeps its own row, its own digests from its
    own read, and a finding naming the path whose decode it shares. Looks in this batch first, then
    in the job's batches already saved (a batch running at the same time on another worker may
    decode the same content too: that costs time, never correctness).
    """

    def __init__(self, job_id: int):
        self.job_id = job_id
        self.seen: dict[tuple[int, bytes], EvidenceFile] = {}

    def twin_of(self, record: EvidenceFile) -> EvidenceFile | None:
        key = (record.size, bytes(record.sha256))
        if key not in self.seen:
            twin = (
                EvidenceFile.objects.filter(
                    job_id=self.job_id, size=record.size, sha256=record.sha256, processed_at__isnull=False
                )
                .exclude(pk=record.pk)
                .filter(mime=record.mime)
                .order_by("pk")
                .first()
            )
            if twin is None:
                return None
            self.seen[key] = twin
        twin = self.seen[key]
        return twin if twin.mime == record.mime else None

    def remember(self, record: EvidenceFile) -> None:
        self.seen.setdefault((record.size, bytes(record.sha256)), record)

    @staticmethod
    def reuse(record: EvidenceFile, twin: EvidenceFile) -> None:
        for name in DECODED_FIELDS:
            setattr(record, name, getattr(twin, name))
        frames = getattr(twin, "sampled_frames", None)
        if frames is None and twin.mime.startswith("video/"):
            frames = list(twin.frames.order_by("index"))
            twin.sampled_frames = frames
        if frames:
            record.sampled_frames = frames
        kept = [finding for finding in twin.findings if finding in DECODE_FINDINGS]
        record.findings = [*record.findings, *kept, f"same content as {twin.path}: decoded once for both"]


def _file_blocks(path):
    with sources.open_source(path) as stream:
        while block := stream.read(disk_images.CHUNK):
            yield block


def _expand_image(batch: IngestBatch) -> list[int]:
    """List the disk image's files (deleted ones included) into new batches; return their ids.

    The new batches are hashed like any others, by any worker. A run again replaces what a first
    run listed.
    """
    container = batch.container
    job = batch.job
    for child in batch.children.all():
        IngestJob.objects.filter(pk=job.pk).update(
            files_total=F("files_total") - child.files_count, bytes_total=F("bytes_total") - child.bytes_count
        )
        child.files.all().delete()
        child.delete()
    new_batches: list[int] = []
    filling: dict[str, list[disk_images.ImageFile]] = {IngestBatch.Kind.FILES: [], IngestBatch.Kind.MEDIA: []}
    path = sources.real_path(container.source_path)

    def close_batch(kind: str) -> None:
        pending = filling[kind]
        with transaction.atomic():
            child = _expansion_batch(job, container, kind, parent=batch)
            child.files_count = len(pending)
            child.bytes_count = sum(found.size for found in pending)
            child.save(update_fields=["files_count", "bytes_count"])
            now = timezone.now()
            insert_files(
                [
                    EvidenceFile(
                        exhibit_id=container.exhibit_id,
                        job=job,
                        batch=child,
                        path=found.path,
                        source_path=container.source_path,
                        container=container,
                        image_locator=(
                            {"offset": found.offset, "inode": found.inode} if found.inode is not None else None
                        ),
                        size=found.size,
                        inode=found.inode,
                        is_deleted=found.deleted,
                        created_time=found.created,
                        modified_time=found.modified,
                        accessed_time=found.accessed,
                        error=found.error,
                        triage=EvidenceFile.Triage.ERROR if found.error else EvidenceFile.Triage.PENDING,
                        processed_at=now if found.error else None,
                    )
                    for found in pending
                ]
            )
            IngestJob.objects.filter(pk=job.pk).update(
                files_total=F("files_total") + child.files_count, bytes_total=F("bytes_total") + child.bytes_count
            )
        new_batches.append(child.pk)
        pending.clear()

    try:
        image = disk_images.open_image(path)
        try:
            for found in disk_images.walk_image(image, container.path):
                kind = batch_kind_of(found.path)
                filling[kind].append(found)
                if len(filling[kind]) >= settings.INGEST_BATCH_FILES:
                    close_batch(kind)
        finally:
            image.close()
    except disk_images.IMAGE_ERRORS as error:
        container.findings = [*container.findings, f"disk image could not be read further: {error}"]
        container.save(update_fields=["findings"])
    for kind, pending in filling.items():
        if pending:
            close_batch(kind)
    # The media is read once more, from start to end, to check its acquisition hashes.
    new_batches.append(_expansion_batch(job, container, IngestBatch.Kind.VERIFY, parent=batch).pk)
    IngestBatch.objects.filter(pk=batch.pk).update(
        status=IngestBatch.Status.DONE,
        files_done=0,
        finished_at=timezone.now(),  # its files count in theirs
    )
    ingest_job_refresh(job=job)
    return new_batches


def _expand_archive(batch: IngestBatch) -> None:
    """Walk the batch's archive and add its members (nested archives included) to the job."""
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
    report = archives.WalkReport(password=sealed.unseal(IngestJob.objects.get(pk=batch.job_id).archive_password))
    chunk: list[EvidenceFile] = []
    counters = {"files": 0, "bytes": 0, "errors": 0}

    def flush() -> None:
        match_files(chunk)
        with transaction.atomic():
            insert_files(chunk)
            save_video_frames(chunk)
            counters["files"] += len(chunk)
            counters["bytes"] += sum(member.size for member in chunk)
            counters["errors"] += sum(1 for member in chunk if member.error)
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
        with _archive_stream(container) as stream:
            head = stream.read(filetypes.SNIFF_BYTES)
            stream.seek(0)
            kind = archives.archive_kind(head)
            for member in archives.walk(stream, kind, container.path, archive_limits(), report, container.size):
                chunk.append(_member_record(batch, container, member))
                if len(chunk) >= ARCHIVE_CHUNK:
                    flush()
                    if _cancelled(batch.job_id):
                        return
    except sources.READ_ERRORS as error:
        report.findings.append(f"{container.path}: archive unreadable: {error}")
    if chunk:
        flush()
    with transaction.atomic():
        if report.findings:
            container.findings = [*container.findings, *report.findings]
            container.save(update_fields=["findings"])
        IngestBatch.objects.filter(pk=batch.pk).update(status=IngestBatch.Status.DONE, finished_at=timezone.now())


def _archive_stream(container: EvidenceFile):
    """The archive's bytes as a seekable stream: the file itself, or, inside a disk image, a copy
    in memory (never on disk), within ARCHIVE_MAX_BUFFER_BYTES."""
    path = sources.real_path(container.source_path)
    locator = container.image_locator
    if not locator:
        return sources.open_source(path)
    if container.size > settings.ARCHIVE_MAX_BUFFER_BYTES:
        raise OSError("archive inside a disk image larger than the in-memory limit: not expanded")
    with disk_images.ImageReader() as reader:
        return io.BytesIO(b"".join(reader.read(path, locator["offset"], locator["inode"])))


def _member_record(batch: IngestBatch, container: EvidenceFile, member: archives.Member) -> EvidenceFile:
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
        record.mime = filetypes.mime_of(member.head)
        if member.size == 0:
            record.error = "empty file (0 bytes)"
        elif record.mime.startswith(("image/", "video/")):
            facts = image_facts if record.mime.startswith("image/") else video_facts
            if member.content is not None:
                facts(record, io.BytesIO(member.content))
            else:
                record.findings = [*record.findings, "too large to decode in memory"]
    return record


def image_facts(record: EvidenceFile, stream) -> None:
    """Decode the image once: perceptual hashes, size, thumbnail; or the reason it does not decode."""
    try:
        digest = perceptual.digest_image(stream)
    except perceptual.ImageRefused as refusal:
        record.error = str(refusal)
        return
    record.phash, record.pdq, record.pdq_quality = digest.phash, digest.pdq, digest.pdq_quality
    record.pdq_variants, record.phash_variants = digest.pdq_variants, digest.phash_variants
    record.width, record.height = digest.width, digest.height
    record.thumbnail = store_derived(
        settings.DERIVED_ROOT, "thumbnails", f"{bytes(record.sha256).hex()}.jpg", digest.thumbnail
    )


def video_facts(record: EvidenceFile, source) -> None:
    """Sample and hash the video's keyframes; a contact sheet as its thumbnail; or why it fails.

    The frames are kept on the record until it is saved (``save_video_frames``).
    """
    try:
        digest = perceptual.digest_video(source)
    except perceptual.VideoRefused as refusal:
        record.error = str(refusal)
        return
    record.duration, record.width, record.height = digest.duration, digest.width, digest.height
    record.thumbnail = store_derived(
        settings.DERIVED_ROOT, "thumbnails", f"{bytes(record.sha256).hex()}.jpg", digest.contact_sheet
    )
    record.sampled_frames = digest.frames


def save_video_frames(files: list[EvidenceFile]) -> None:
    """Store the keyframes sampled from the saved videos among ``files`` (again: a re-run replaces them)."""
    videos = [f for f in files if getattr(f, "sampled_frames", None)]
    if not videos:
        return
    VideoFrame.objects.filter(file__in=videos).delete()
    VideoFrame.objects.bulk_create(
        VideoFrame(
            file=video,
            index=index,
            time=frame.time,
            phash=frame.phash,
            pdq=frame.pdq,
            pdq_quality=frame.pdq_quality,
            pdq_variants=frame.pdq_variants,
            phash_variants=frame.phash_variants,
        )
        for video in videos
        for index, frame in enumerate(video.sampled_frames)
    )


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
        job.archive_password = None  # its archives are walked: the password goes
        job.save(update_fields=["status", "finished_at", "archive_password"])
        errors = job.files.filter(error__gt="").count()
        audit_record(actor=None, action="ingest.done", target=job, files=job.files_total, errors=errors)
    return job
