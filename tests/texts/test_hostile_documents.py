"""Hostile or broken documents are refused with a reason, within bounds (no database)."""

import pytest

from config.messages import code_of
from tests.texts.documents import (
    CONTENT_TYPES,
    _zip,
    docx_bomb_bytes,
    docx_bytes,
    eml_bytes,
    encrypted_pdf_bytes,
    nested_mbox_bytes,
    pdf_bomb_bytes,
    pdf_bytes,
    pdf_page_tree_bomb_bytes,
)
from texts.extraction import extract_text
from texts.limits import Limits, TextRefused

LIMITS = Limits(max_member_bytes=1 << 20)


def refusal(data, mime, name="", limits=LIMITS) -> str:
    with pytest.raises(TextRefused) as caught:
        extract_text(data, mime, name, limits)
    return code_of(caught.value.message)


def test_a_docx_bomb_is_refused_at_the_member_cap():
    bomb = docx_bomb_bytes(64 << 20)
    assert len(bomb) < 200_000  # 64 MiB inflated from a small file
    assert refusal(bomb, "application/zip", "bomb.docx") == "text.member_too_large"
    # control: the same document of a size under the cap is read
    assert extract_text(docx_bomb_bytes(1000), "application/zip", "small.docx", LIMITS).text == "bomb"


def test_a_member_lying_about_its_size_is_stopped_when_read():
    parts = {
        "[Content_Types].xml": CONTENT_TYPES,
        "word/document.xml": "<w:document>" + " " * (2 << 20) + "</w:document>",
    }
    lying = bytearray(_zip(parts))
    # the central directory's uncompressed size of word/document.xml, rewritten to 100 bytes
    at = lying.rfind(b"PK\x01\x02")
    lying[at + 24 : at + 28] = (100).to_bytes(4, "little")
    assert refusal(bytes(lying), "application/zip", "lying.docx") in ("text.member_too_large", "text.zip_unreadable")


def test_a_pdf_that_is_not_a_pdf_is_refused_with_the_readers_words():
    assert refusal(b"%PDF-1.4\nthis is no PDF at all", "application/pdf") == "text.pdf_unreadable"
    assert "darkfalcon" in extract_text(pdf_bytes("darkfalcon"), "application/pdf").text  # control


def test_a_pdf_bomb_is_refused():
    bomb = pdf_bomb_bytes(96 << 20)  # past what pypdf inflates of one stream (75 MB)
    assert len(bomb) < 1 << 20
    assert refusal(bomb, "application/pdf") == "text.pdf_unreadable"
    assert "bomb" in extract_text(pdf_bomb_bytes(1 << 20), "application/pdf").text  # control: a small one is read


def test_an_encrypted_pdf_is_refused_unless_it_opens_without_a_password():
    assert refusal(encrypted_pdf_bytes("darkfalcon", user_password="secret"), "application/pdf") == "text.pdf_encrypted"
    opened = extract_text(encrypted_pdf_bytes("darkfalcon", user_password=""), "application/pdf")  # control
    assert "darkfalcon" in opened.text


def test_xml_with_entities_is_refused():
    laughs = '<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]><d>&b;</d>'
    data = docx_bytes("x", extra={"word/document.xml": laughs})
    assert refusal(data, "application/zip", "laughs.docx") == "text.xml_unreadable"


def test_a_deeply_nested_email_is_refused():
    nested = eml_bytes(sender="a@example.org", to="b@example.org", subject="inner", body="deep")
    for level in range(40):
        boundary = f"b{level}".encode()
        nested = b"Content-Type: multipart/mixed; boundary=%s\r\n\r\n--%s\r\n%s\r\n--%s--\r\n" % (
            boundary,
            boundary,
            nested,
            boundary,
        )
    assert refusal(nested, "message/rfc822") == "text.too_deep"


def test_a_file_over_the_byte_limit_is_refused():
    assert refusal(b"x" * 2000, "text/plain", limits=Limits(max_bytes=1000)) == "text.too_large"


def test_a_pdf_page_tree_bomb_is_refused_and_a_long_one_stopped_in_time():
    bomb = pdf_page_tree_bomb_bytes(40)  # 2**40 pages declared in a few kilobytes
    assert len(bomb) < 10_000
    assert refusal(bomb, "application/pdf") == "text.pdf_unreadable"  # past pypdf's 100,000 page entries
    long = extract_text(pdf_page_tree_bomb_bytes(15), "application/pdf", limits=Limits(max_seconds=0.2))
    assert [code_of(finding) for finding in long.findings] == ["text.time_limit"]  # 32,768 pages: stopped
    assert extract_text(pdf_page_tree_bomb_bytes(2), "application/pdf").findings == []  # control: 4 pages read


def test_a_message_nested_hundreds_deep_in_a_mailbox_is_skipped_and_the_next_one_read():
    read = extract_text(nested_mbox_bytes(500, then="goodword"), "text/plain", "box.mbox")
    assert "goodword" in read.text and "deepword" not in read.text
    (skipped,) = read.findings
    assert code_of(skipped) == "text.mbox_message_skipped" and code_of(skipped["params"]["reason"]) == "text.too_deep"
    assert refusal(nested_mbox_bytes(500), "text/plain", "alone.mbox") == "text.too_deep"  # its only message
    assert extract_text(nested_mbox_bytes(2, then="goodword"), "text/plain", "box.mbox").findings == []  # control
