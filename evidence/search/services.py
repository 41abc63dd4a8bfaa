"""Changing the search language of an exhibit's texts, and whether its pictures are read (OCR)."""

from django.db import transaction
from django.db.models import Case, F, Value, When

from audit.services import audit_record
from evidence.models import AUTO_LANGUAGE, Exhibit, FileText
from evidence.search.store import text_language


@transaction.atomic
def exhibit_text_language_set(*, exhibit: Exhibit, language: str, by, ip: str | None = None) -> int:
    """Search the exhibit's texts in ``language`` (a code of EXHIBIT_TEXT_LANGUAGES, or "" for the
    setting's); with "auto", each part in the language detected in it when it was indexed.

    Its texts already stored take the new language at once: on PostgreSQL each part's tsvector is a
    generated column, computed again by this UPDATE (SQLite's FTS5 copy stems in no language). A part
    indexed before languages were detected keeps the language it has under "auto".
    Returns the parts re-indexed."""
    before = exhibit.text_language
    exhibit.text_language = language
    exhibit.save(update_fields=["text_language"])
    chosen = text_language(language)
    texts = FileText.objects.filter(exhibit=exhibit)
    if chosen == AUTO_LANGUAGE:
        parts = texts.update(
            language=Case(
                When(kind=FileText.Kind.NAME, then=Value("simple")),
                When(detected_language="", then=F("language")),
                default=F("detected_language"),
            )
        )
    else:
        parts = texts.update(language=chosen)
    audit_record(
        actor=by, action="exhibit.text_language", target=exhibit, ip=ip, before=before, after=language, parts=parts
    )
    return parts


@transaction.atomic
def exhibit_ocr_set(*, exhibit: Exhibit, ocr: str, by, ip: str | None = None) -> Exhibit:
    """Read the exhibit's pictures and scanned PDFs ("on"), never ("off"), or while it holds at most
    OCR_AUTO_MAX_FILES pictures ("auto"). Applies to the batches saved from now on; pictures ingested
    before are read by the dossier's text index job."""
    if ocr not in Exhibit.Ocr.values:
        raise ValueError(f"unknown OCR switch {ocr!r}")
    before = exhibit.ocr
    exhibit.ocr = ocr
    exhibit.save(update_fields=["ocr"])
    audit_record(actor=by, action="exhibit.ocr", target=exhibit, ip=ip, before=before, after=ocr)
    return exhibit
