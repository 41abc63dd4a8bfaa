"""A file's text extracted from the bytes a worker already holds, and the texts written in the
batch's transaction: the one place ``FileText`` rows (and SQLite's FTS5 copy) are written, and
with them the identifiers they hold (``evidence.search.identifiers``)."""

import logging

from django.conf import settings
from django.db import connection
from psycopg.types.json import Jsonb

from config.messages import message
from evidence.models import AUTO_LANGUAGE, LANGUAGES, EvidenceFile, Exhibit, FileText, ImageMetadata
from evidence.search.identifiers import file_identifiers_save
from texts.extraction import extract_text, text_kind
from texts.language import text_language_detect
from texts.limits import Limits, TextRefused
from texts.sink import Extracted

log = logging.getLogger(__name__)
FTS_TABLE = "evidence_filetext_fts"


def text_limits() -> Limits:
    return Limits(
        max_chars=settings.TEXT_MAX_CHARS,
        max_bytes=settings.TEXT_MAX_FILE_BYTES,
        max_member_bytes=settings.TEXT_MAX_MEMBER_BYTES,
        max_seconds=settings.TEXT_MAX_SECONDS,
    )


def text_language(exhibit_language: str = "") -> str:
    """The search language of an exhibit's texts: its own, else the TEXT_LANGUAGE setting. One of
    LANGUAGES, or AUTO_LANGUAGE: each part in the language detected in it (``part_language``)."""
    if exhibit_language in (*LANGUAGES, AUTO_LANGUAGE):
        return exhibit_language
    return settings.TEXT_LANGUAGE if settings.TEXT_LANGUAGE in (*LANGUAGES, AUTO_LANGUAGE) else "simple"


def part_language(chosen: str, detected: str) -> str:
    """The configuration of a part: the exhibit's ``chosen`` language (``text_language``), or with
    AUTO_LANGUAGE the one ``detected`` in the part ("simple" when none was: a file name)."""
    if chosen != AUTO_LANGUAGE:
        return chosen
    return detected or "simple"


def has_text(record: EvidenceFile) -> bool:
    """Whether the file's text is read: a document of a type the extractors know."""
    return bool(record.size) and text_kind(record.mime, record.path) is not None


def keeps_text(record: EvidenceFile, mime: str) -> bool:
    """Whether a worker keeps the file's bytes as it hashes them, to read its text from them."""
    return text_kind(mime, record.path) is not None and record.size <= settings.TEXT_MAX_FILE_BYTES


def file_text_extract(record: EvidenceFile, content: "bytes | bytearray | None") -> None:
    """Read the text of ``record`` from ``content`` (its whole bytes, or None when they were not
    kept: too large): kept on the record (``extracted_text``) until it is saved with
    ``file_texts_save``, or refused (``text_error``, and a finding on the file). Never raises for
    the document's sake: one hostile file must not stop its batch."""
    try:
        if content is None:
            raise TextRefused(message("text.too_large", size=record.size, limit=settings.TEXT_MAX_FILE_BYTES))
        extracted = extract_text(bytes(content), record.mime, record.path, text_limits())
    except TextRefused as refusal:
        record.text_error = refusal.message
    except Exception as error:  # noqa: BLE001 - a third-party parser on hostile bytes may raise anything
        log.warning("text of file %s not extracted: %r", record.pk or record.path, error)
        record.text_error = message("text.failed", reason=f"{type(error).__name__}: {error}"[:500])
    else:
        record.extracted_text = extracted
        if extracted.findings:
            record.findings = [*record.findings, *extracted.findings]
        return
    record.findings = [*record.findings, record.text_error]


def text_failed(record: EvidenceFile) -> bool:
    return getattr(record, "text_error", None) is not None


def _parts(text: str, size: int) -> list[str]:
    """``text`` cut into parts of at most ``size`` characters, at a blank where one is near."""
    parts = []
    while len(text) > size:
        cut = text.rfind(" ", max(1, size - 1000), size)
        cut = cut if cut > 0 else size
        parts.append(text[:cut])
        text = text[cut:]
    return [*parts, text] if text or not parts else parts


def _text_rows(kind: str, record: EvidenceFile, extracted, error, language: str) -> list[dict]:
    """The rows of one kind of text (``FileText``'s fields; the others at their defaults): its parts,
    each with the language detected in it (read whatever the exhibit chose, so that choosing "auto"
    later costs no reading again), or one row saying why it was not read."""
    common = {"file_id": record.pk, "exhibit_id": record.exhibit_id, "kind": kind}
    if extracted is not None:
        parts = _parts(extracted.text, settings.TEXT_PART_CHARS)
        truncated = extracted.truncated or bool(extracted.findings)
        rows = []
        for number, text in enumerate(parts):
            detected = text_language_detect(text)
            rows.append(
                {
                    "part": number,
                    "text": text,
                    "truncated": truncated and number == len(parts) - 1,
                    "language": part_language(language, detected),
                    "detected_language": detected,
                    **common,
                }
            )
        return rows
    if error is not None:
        return [{"text": "", "error": error, "language": part_language(language, ""), **common}]
    return []


def _rows(record: EvidenceFile, language: str) -> list[dict]:
    # A path is no sentence: its language is not read (with "auto", its words are searched as written).
    # Plain dicts, not model instances: every file of every batch has one (its name), and building
    # a model costs more than writing its row (evidence.ingest.filerows does the same).
    name = {
        "file_id": record.pk,
        "exhibit_id": record.exhibit_id,
        "kind": FileText.Kind.NAME,
        "text": record.path,
        "language": part_language(language, ""),
    }
    extracted, error = getattr(record, "extracted_text", None), getattr(record, "text_error", None)
    rows = [name, *_text_rows(FileText.Kind.CONTENT, record, extracted, error, language)]
    captions = image_captions(record)
    if captions:
        rows += _text_rows(FileText.Kind.EXIF, record, Extracted(captions), None, language)
    return rows


def image_captions(record: EvidenceFile) -> str:
    """What a person wrote in the image's tags (``hashing.exif.captions_of``), as the worker read them
    (``camera``: its facts, or a twin's saved row), "" when none."""
    camera = getattr(record, "camera", None)
    return camera.captions if camera is not None else ""


def _ocr_rows(record: EvidenceFile, language: str) -> list[dict]:
    extracted, error = getattr(record, "ocr_text", None), getattr(record, "ocr_error", None)
    return _text_rows(FileText.Kind.OCR, record, extracted, error, language)


def file_texts_save(files: list[EvidenceFile], *, new: bool = False) -> int:
    """Write the texts of saved ``files`` (their paths, the content read by ``file_text_extract``, the
    words written in an image's tags), in their exhibit's search language, replacing what a run
    before wrote (the text read from their pictures stays: ``file_ocr_texts_save`` writes it);
    ``new``: the files' rows were written in this transaction, so there is nothing to replace.
    Called inside the batch's transaction. Returns the parts written."""
    _cameras_of(files)
    return _save(files, (FileText.Kind.NAME, FileText.Kind.CONTENT, FileText.Kind.EXIF), _rows, new=new)


def _cameras_of(files: list[EvidenceFile]) -> None:
    """The saved tags of images the worker did not decode now (the text index job's): one query."""
    missing = {
        record.pk: record
        for record in files
        if record.pk is not None and not hasattr(record, "camera") and record.mime.startswith("image/")
    }
    for metadata in ImageMetadata.objects.filter(file_id__in=missing):
        missing[metadata.file_id].camera = metadata


def file_ocr_texts_save(files: list[EvidenceFile]) -> int:
    """Write the text read from the pictures of saved ``files`` (``ocr_text`` or ``ocr_error`` on
    each, set by ``evidence.search.ocr.file_ocr_read``), replacing what a run before read."""
    return _save(files, (FileText.Kind.OCR,), _ocr_rows)


def _save(files: list[EvidenceFile], kinds: tuple[str, ...], rows_of, *, new: bool = False) -> int:
    files = [record for record in files if record.pk is not None]
    if not files:
        return 0
    exhibits = {record.exhibit_id for record in files}
    languages = dict(Exhibit.objects.filter(pk__in=exhibits).values_list("pk", "text_language"))
    if not new:
        _forget(FileText.objects.filter(file_id__in=[record.pk for record in files], kind__in=kinds))
    rows = [row for record in files for row in rows_of(record, text_language(languages.get(record.exhibit_id, "")))]
    # The identifiers their names and texts hold: written with them, so that every path that indexes
    # a text (ingest, the text index job, the OCR batch) finds them.
    file_identifiers_save(files, {kind: IDENTIFIER_SOURCES[kind] for kind in kinds}, new=new)
    if connection.vendor == "postgresql":
        _copy(rows)
        return len(rows)
    rows = FileText.objects.bulk_create([FileText(**row) for row in rows])
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            # A row id of a test flushed earlier may come back: its stale copy goes first.
            cursor.executemany(f"DELETE FROM {FTS_TABLE} WHERE rowid = %s", [(row.pk,) for row in rows])  # noqa: S608
            cursor.executemany(
                f"INSERT INTO {FTS_TABLE} (rowid, text) VALUES (%s, %s)",  # noqa: S608 - our own table name
                [(row.pk, row.text) for row in rows if row.text],
            )
    return len(rows)


def _extracted(name: str):
    def text_of(record: EvidenceFile) -> str:
        extracted = getattr(record, name, None)
        return extracted.text if extracted is not None else ""

    return text_of


# Where identifiers are looked for, by kind of text: what was just read of each file.
IDENTIFIER_SOURCES = {
    FileText.Kind.NAME: lambda record: record.path,
    FileText.Kind.CONTENT: _extracted("extracted_text"),
    FileText.Kind.EXIF: image_captions,
    FileText.Kind.OCR: _extracted("ocr_text"),
}

# The columns written, with the value of a row that does not give one (the model's defaults).
COPIED = {
    "file_id": None,
    "exhibit_id": None,
    "kind": None,
    "part": 0,
    "language": "simple",
    "detected_language": "",
    "text": "",
    "truncated": False,
    "error": "",
}


def _copy(rows: list[dict]) -> None:
    """PostgreSQL: the rows in with one COPY (an INSERT of thousands of placeholders costs more to
    build and parse than to run: evidence.ingest.filerows); their tsvectors are generated on the way."""
    columns = ", ".join(connection.ops.quote_name(name) for name in COPIED)
    defaults = list(COPIED.items())
    with connection.cursor() as cursor, cursor.copy(f"COPY {FileText._meta.db_table} ({columns}) FROM STDIN") as copy:
        for row in rows:
            values = [row.get(name, default) for name, default in defaults]
            values[-1] = Jsonb(values[-1])
            copy.write_row(values)


def _forget(texts) -> None:
    if connection.vendor == "sqlite":
        ids = list(texts.values_list("pk", flat=True))
        if ids:
            with connection.cursor() as cursor:
                cursor.executemany(f"DELETE FROM {FTS_TABLE} WHERE rowid = %s", [(pk,) for pk in ids])  # noqa: S608
    texts.delete()
