"""Text read from the pictures and scanned PDFs of an exhibit (OCR, ``texts.ocr``), stored as
``FileText`` of kind OCR.

OCR runs after hashing, not inside it: a batch of files saved (hashed, typed, matched) gets an OCR
batch of its own (``IngestBatch.Kind.OCR``, its ``parent`` the batch read) when its exhibit's switch
says so, queued to the `media` queue in the same transaction. Tesseract takes about a second per
page on a core, one to two orders of magnitude more than hashing and decoding a picture: inline,
it would hold the alert matches of a whole batch back behind its slowest pictures. As a batch of
the job, OCR keeps its progress, failures, time limit and resumption: the job ends when it does,
and a picture refused (too large, too long) is a finding on its file counted in the batch's errors.
The OCR batch reads each file again where it lies (its SHA-256 checked against the ingest's), a
member of an archive or an e-mail's attachment from one walk of its archive for all of them (the
archive's expansion has an OCR batch of its own): for a picture a second read costs little beside
its OCR.
"""

import logging
from collections.abc import Iterator

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, F, OuterRef, Q, Sum
from django.utils import timezone

from config.messages import message
from evidence.ingest import disk_files
from evidence.ingest.pipeline.state import ingest_batch_create
from evidence.models import EvidenceFile, Exhibit, FileText, IngestBatch
from evidence.search.reading import contents_again
from evidence.search.store import file_ocr_texts_save
from texts.limits import TextRefused
from texts.ocr import OcrLimits, ocr_pdf, ocr_picture, tesseract_languages

log = logging.getLogger(__name__)
# Pictures Tesseract is not given: drawings in XML, icons.
NOT_PICTURES = ("image/svg+xml", "image/x-icon", "image/vnd.microsoft.icon")
# Files read between two saves of an OCR batch: what a stop (its time limit) costs at most.
OCR_CHUNK_FILES = 50


def exhibit_pictures_count(exhibit: Exhibit) -> int:
    """The pictures and videos the exhibit holds as far as known: those listed by name (its media
    batches, from folders and disk images) and the pictures found in its archives."""
    listed = IngestBatch.objects.filter(job__exhibit=exhibit, kind=IngestBatch.Kind.MEDIA).aggregate(
        total=Sum("files_count")
    )["total"]
    limit = settings.OCR_AUTO_MAX_FILES
    in_archives = EvidenceFile.objects.filter(
        exhibit=exhibit, batch__kind=IngestBatch.Kind.ARCHIVE, mime__startswith="image/"
    )[: limit + 1].count()  # bounded: only "more than the limit" matters
    return (listed or 0) + in_archives


def exhibit_ocr_on(exhibit: Exhibit) -> bool:
    """Whether the exhibit's pictures are read: OCR_ENABLED, and its switch on, or "auto" while it
    holds at most OCR_AUTO_MAX_FILES pictures and videos."""
    if not settings.OCR_ENABLED or exhibit.ocr == Exhibit.Ocr.OFF:
        return False
    return exhibit.ocr == Exhibit.Ocr.ON or exhibit_pictures_count(exhibit) <= settings.OCR_AUTO_MAX_FILES


def ocr_candidates() -> Q:
    """Files whose pictures are read: pictures and PDFs, hashed without error (a member of an archive
    too: read from its archive's walk); not a PDF whose text was refused (it does not open: its
    refusal is on it already)."""
    kinds = Q(mime__startswith="image/") & ~Q(mime__in=NOT_PICTURES) | Q(mime="application/pdf")
    refused = FileText.objects.filter(file=OuterRef("pk"), kind=FileText.Kind.CONTENT).exclude(error="")
    return kinds & Q(error="", size__gt=0) & ~Exists(refused)


def is_ocr_candidate(record: EvidenceFile) -> bool:
    mime = record.mime or ""
    picture = mime.startswith("image/") and mime not in NOT_PICTURES
    return (picture or mime == "application/pdf") and not record.error and bool(record.size)


def ocr_limits(exhibit_language: str) -> OcrLimits:
    return OcrLimits(
        max_seconds=settings.OCR_MAX_SECONDS,
        max_file_seconds=settings.OCR_MAX_FILE_SECONDS,
        max_pixels=settings.OCR_MAX_PIXELS,
        max_pages=settings.OCR_MAX_PAGES,
        max_chars=settings.TEXT_MAX_CHARS,
        languages=tesseract_languages(exhibit_language, settings.OCR_LANGUAGES),
    )


def ocr_batch_create(*, batch: IngestBatch, files: list[EvidenceFile]) -> IngestBatch | None:
    """The OCR batch of ``batch`` (saved in this transaction), when some of its ``files`` are pictures
    or PDFs and its exhibit's pictures are read; None otherwise, or when it has one already."""
    if not any(is_ocr_candidate(record) for record in files):
        return None
    if IngestBatch.objects.filter(parent=batch, kind=IngestBatch.Kind.OCR).exists():
        return None
    if not exhibit_ocr_on(batch.job.exhibit):
        return None
    return ingest_batch_create(job=batch.job, kind=IngestBatch.Kind.OCR, parent=batch)


def file_ocr_read(record: EvidenceFile, content: "bytes | None", limits: OcrLimits) -> None:
    """Read the text of the pictures of ``record`` from ``content`` (its bytes; None when too large
    to read): kept on the record (``ocr_text``) until ``file_ocr_texts_save``, or refused
    (``ocr_error``, and a finding on the file). Never raises for the picture's sake."""
    try:
        if content is None:
            raise TextRefused(message("text.too_large", size=record.size, limit=settings.TEXT_MAX_FILE_BYTES))
        if record.mime == "application/pdf":
            extracted = ocr_pdf(content, limits)
        else:
            extracted = ocr_picture(content, limits)
    except TextRefused as refusal:
        record.ocr_error = refusal.message
    except Exception as error:  # noqa: BLE001 - a decoder on hostile bytes may raise anything
        log.warning("pictures of file %s not read: %r", record.pk, error)
        record.ocr_error = message("ocr.failed", reason=f"{type(error).__name__}: {error}"[:500])
    else:
        record.ocr_text = extracted
        if extracted.findings:
            record.findings = [*record.findings, *extracted.findings]
        return
    record.findings = [*record.findings, record.ocr_error]


def files_ocr_read(files: list[EvidenceFile], reader, language: str) -> Iterator[EvidenceFile]:
    """Read the pictures of ``files`` (candidates), each file read again where it lies or, a member
    of an archive, from its archive's walk (``contents_again``); the same content (SHA-256) read
    once. Yields each file once its pictures are read (``ocr_text``, or ``ocr_error``), its copies
    right after it, so that a caller saves as it goes."""
    limits = ocr_limits(language)
    firsts: dict[object, EvidenceFile] = {}
    copies: dict[int, list[EvidenceFile]] = {}
    for record in files:
        key = bytes(record.sha256) if record.sha256 is not None else id(record)
        if key in firsts:
            copies.setdefault(id(firsts[key]), []).append(record)
        else:
            firsts[key] = record
    for record, content in contents_again(list(firsts.values()), reader):
        before = len(record.findings)
        if isinstance(content, TextRefused):
            record.ocr_error = content.message
            record.findings = [*record.findings, content.message]
        else:
            file_ocr_read(record, content, limits)
        record.ocr_findings = record.findings[before:]
        yield record
        for copy in copies.get(id(record), []):
            copy.ocr_text, copy.ocr_error = getattr(record, "ocr_text", None), getattr(record, "ocr_error", None)
            if copy.ocr_error is not None:
                copy.findings = [*copy.findings, copy.ocr_error]
            yield copy


def ocr_refused(record: EvidenceFile) -> bool:
    return bool(getattr(record, "ocr_error", None)) or bool(getattr(record, "ocr_findings", None))


def ocr_batch_process(batch: IngestBatch) -> None:
    """Read the pictures of the files of the batch's parent and store their text, OCR_CHUNK_FILES at
    a time, each chunk in its own transaction with its refusals counted in the batch's errors: a
    batch stopped (its time limit, its worker gone) and run again goes on after the files read."""
    exhibit = batch.job.exhibit
    read = FileText.objects.filter(file=OuterRef("pk"), kind=FileText.Kind.OCR)
    # All of them at once (rows, not contents): an archive's members are read in one walk of it.
    candidates = batch.parent.files.filter(ocr_candidates()).exclude(Exists(read)) if batch.parent_id else None
    # Rows without their hashes' variants: an archive may hold many thousand pictures.
    heavy = ("pdq_variants", "phash_variants", "match_detail")
    files = list(candidates.defer(*heavy).order_by("pk")) if candidates is not None else []
    chunk: list[EvidenceFile] = []
    with disk_files.ImageReader() as reader:
        for record in files_ocr_read(files, reader, exhibit.text_language):
            chunk.append(record)
            if len(chunk) >= OCR_CHUNK_FILES:
                _ocr_chunk_save(batch, chunk)
                chunk = []
        _ocr_chunk_save(batch, chunk)
    IngestBatch.objects.filter(pk=batch.pk).update(status=IngestBatch.Status.DONE, finished_at=timezone.now())


def _ocr_chunk_save(batch: IngestBatch, chunk: list[EvidenceFile]) -> None:
    if not chunk:
        return
    with transaction.atomic():
        file_ocr_texts_save(chunk)
        for record in chunk:
            if getattr(record, "ocr_findings", None):
                record.save(update_fields=["findings"])
        IngestBatch.objects.filter(pk=batch.pk).update(errors=F("errors") + sum(map(ocr_refused, chunk)))
