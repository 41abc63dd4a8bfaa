"""Each kind of document gives the text a person reads in it (no database)."""

import pytest

from tests.texts.documents import docx_bytes, eml_bytes, odt_bytes, pdf_bytes, xlsx_bytes
from texts.extraction import extract_text, text_kind
from texts.limits import Limits


def test_plain_text_is_read_in_its_encoding():
    assert extract_text("Café à Liège".encode(), "text/plain").text == "Café à Liège"
    assert extract_text("Café à Liège".encode("utf-16"), "text/plain").text == "Café à Liège"
    assert extract_text("Café à Liège".encode("cp1252"), "text/plain").text == "Café à Liège"


def test_html_gives_its_visible_text_without_script_or_style():
    page = b"<html><head><title>Notes</title><style>p{color:red}</style></head><body><p>Rue de la Loi</p>"
    page += b"<script>var hidden = 'secret';</script><p>&eacute;t&eacute;</p></body></html>"
    text = extract_text(page, "text/html").text
    assert "Notes" in text and "Rue de la Loi" in text and "été" in text
    assert "secret" not in text and "color" not in text


def test_office_and_opendocument_files_give_their_text():
    assert extract_text(docx_bytes("Pseudo: darkfalcon", "GSM +32 470 12 34 56"), "application/zip", "a.docx").text == (
        "Pseudo: darkfalcon\nGSM +32 470 12 34 56"
    )
    sheet = extract_text(xlsx_bytes(["wallet", "bc1qxyz"], "32470123456"), "application/zip", "a.xlsx").text
    assert "wallet" in sheet and "bc1qxyz" in sheet and "32470123456" in sheet and "\t0" not in sheet
    assert extract_text(odt_bytes("Bonjour Élodie"), "application/vnd.oasis.opendocument.text").text == "Bonjour Élodie"


def test_a_pdf_gives_its_text_layer_page_by_page():
    text = extract_text(pdf_bytes("First page darkfalcon", "Second page"), "application/pdf").text
    assert "First page darkfalcon" in text and "Second page" in text


def test_an_email_gives_its_headers_body_and_attachment_names():
    mail = eml_bytes(
        sender="falcon@example.org",
        to="buyer@example.net",
        subject="Rendez-vous",
        body="Rue Neuve 12",
        attachment="plan.pdf",
    )
    text = extract_text(mail, "message/rfc822").text
    for expected in (
        "From: falcon@example.org",
        "To: buyer@example.net",
        "Subject: Rendez-vous",
        "Rue Neuve 12",
        "plan.pdf",
    ):
        assert expected in text


def test_a_mailbox_gives_each_of_its_messages():
    first = eml_bytes(sender="falcon@example.org", to="a@example.net", subject="One", body="first body")
    second = eml_bytes(sender="owl@example.org", to="b@example.net", subject="Two", body="second body")
    mailbox = (
        b"From falcon@example.org Mon Dec  7 09:00:00 2026\n"
        + first
        + b"\nFrom owl Mon Dec  7 10:00:00 2026\n"
        + second
    )
    text = extract_text(mailbox, "text/plain", "inbox.mbox").text
    assert "Subject: One" in text and "first body" in text and "Subject: Two" in text and "second body" in text
    limited = extract_text(mailbox, "application/mbox", "inbox.mbox", Limits(max_parts=1))
    assert "first body" in limited.text and "second body" not in limited.text and limited.findings


def test_text_is_capped_and_said_to_be():
    extracted = extract_text(b"word " * 1000, "text/plain", limits=Limits(max_chars=100))
    assert len(extracted.text) <= 100 and extracted.truncated
    assert not extract_text(b"word", "text/plain").truncated


@pytest.mark.parametrize(
    ("mime", "name", "kind"),
    [
        ("application/zip", "a.docx", "docx"),
        ("application/zip", "a.zip", None),
        ("image/jpeg", "a.txt", None),
        ("text/x-c", "", "text"),
    ],
)
def test_which_files_have_a_text_to_read(mime, name, kind):
    assert text_kind(mime, name) == kind
