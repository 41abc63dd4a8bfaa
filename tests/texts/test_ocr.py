"""Text read from pictures and scanned PDFs by Tesseract, bounded in pixels and seconds (no database)."""

import pytest

from config.messages import code_of
from tests.texts.documents import (
    noisy_picture,
    pdf_bytes,
    picture_bytes,
    scanned_pdf_bytes,
    text_picture,
)
from texts.limits import TextRefused
from texts.ocr import OcrLimits, ocr_pdf, ocr_picture, tesseract_languages

ENGLISH = OcrLimits(languages="eng")


def refusal(call, *args) -> str:
    with pytest.raises(TextRefused) as caught:
        call(*args)
    return code_of(caught.value.message)


def test_a_picture_of_text_is_read_in_the_three_languages():
    picture = text_picture("Zonnebloemstraat 12, Gent", "Rue de la Loi")
    text = ocr_picture(picture_bytes(picture, "JPEG")).text
    assert "Zonnebloemstraat" in text and "Loi" in text


def test_a_scanned_pdf_is_read_but_a_page_with_a_text_layer_is_not_read_twice():
    scan = scanned_pdf_bytes(text_picture("Zonnebloemstraat"), text_picture("Kerkstraat"))
    text = ocr_pdf(scan, ENGLISH).text
    assert "Zonnebloemstraat" in text and "Kerkstraat" in text
    assert ocr_pdf(pdf_bytes("darkfalcon has a text layer here"), ENGLISH).text == ""  # control: no picture read


def test_a_picture_that_keeps_tesseract_busy_is_stopped_at_the_time_limit():
    noise = picture_bytes(noisy_picture(1500))
    assert refusal(ocr_picture, noise, OcrLimits(max_seconds=0.5, languages="eng")) == "ocr.time_limit"
    assert "Gent" in ocr_picture(picture_bytes(text_picture("Gent")), ENGLISH).text  # control


def test_a_picture_over_the_pixel_cap_is_refused_before_it_is_decoded():
    big = picture_bytes(text_picture("Gent", width=2000))
    assert refusal(ocr_picture, big, OcrLimits(max_pixels=100_000, languages="eng")) == "ocr.too_large"
    assert refusal(ocr_picture, b"GIF89a not a picture", ENGLISH) == "ocr.unreadable"
    assert "Gent" in ocr_picture(big, ENGLISH).text  # control: under the default cap


def test_a_scanned_pdf_keeps_the_pages_read_and_says_which_were_not():
    scan = scanned_pdf_bytes(text_picture("Kerkstraat"), noisy_picture(600), text_picture("Zonnebloemstraat"))
    read = ocr_pdf(scan, OcrLimits(max_pages=2, languages="eng"))
    assert "Kerkstraat" in read.text and "Zonnebloemstraat" not in read.text
    assert [code_of(finding) for finding in read.findings] == ["ocr.pages_stopped"]
    capped = ocr_pdf(scan, OcrLimits(max_pixels=200_000, languages="eng"))  # the noise page: 600 × 600 px
    assert "Kerkstraat" in capped.text and "Zonnebloemstraat" in capped.text
    assert [code_of(finding) for finding in capped.findings] == ["ocr.page_failed"]
    assert code_of(capped.findings[0]["params"]["reason"]) == "ocr.too_large"
    assert refusal(ocr_pdf, b"%PDF-1.4 not a PDF", ENGLISH) == "text.pdf_unreadable"


def test_the_exhibit_language_chooses_tesseracts():
    assert tesseract_languages("dutch") == "nld"
    assert tesseract_languages("simple") == tesseract_languages("") == "eng+fra+nld"
