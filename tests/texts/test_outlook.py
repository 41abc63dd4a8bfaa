"""Outlook messages (.msg) read like e-mails: headers, body (plain, HTML or compressed RTF), the
attachments' names; a damaged one refused with its reason. The files are written at test time."""

import olefile
import pytest

from config.messages import code_of
from demo.outlook import OutlookMail, msg_bytes, rtf_compressed
from evidence.ingest import filetypes
from evidence.ingest.archives.cfb import cfb_bytes
from texts.extraction import extract_text, text_kind
from texts.limits import Limits, TextRefused
from texts.rtf import rtf_decompress, rtf_text

FALCON = ("Dark Falcon", "falcon@example.org")
OWL = ("Night Owl", "owl@example.net")


def mail(**changes) -> OutlookMail:
    fields = {"subject": "Rendez-vous", "sender": FALCON, "to": [OWL], "body": "Meet at the station at nine"}
    return OutlookMail(**{**fields, **changes})


def refusal(data: bytes, limits: Limits | None = None) -> str:
    with pytest.raises(TextRefused) as refused:
        extract_text(data, "application/vnd.ms-outlook", "m.msg", limits)
    return code_of(refused.value.message)


def test_a_msg_gives_its_headers_body_and_attachment_names():
    data = msg_bytes(mail(cc=[("Crow", "crow@example.net")], attachments=[("plan.pdf", b"%PDF-1.4 benign")]))
    text = extract_text(data, "application/vnd.ms-outlook", "m.msg").text
    assert "From: Dark Falcon <falcon@example.org>" in text
    assert "To: Night Owl <owl@example.net>" in text and "Cc: Crow <crow@example.net>" in text
    assert "Subject: Rendez-vous" in text and "Date: Mon, 07 Dec 2026 09:00:00 +0000" in text
    assert "Meet at the station at nine" in text and "plan.pdf" in text


def test_an_html_body_is_made_text_and_an_rtf_body_read_when_it_is_all_there_is():
    html = extract_text(
        msg_bytes(mail(body="", html=b"<html><style>p{}</style><p>Gare du <b>Midi</b></p></html>")),
        "application/vnd.ms-outlook",
        "m.msg",
    ).text
    assert "Gare du Midi" in html and "p{}" not in html
    rtf = rb"{\rtf1\ansi\ansicpg1252{\fonttbl{\f0 Arial;}}\f0 Caf\'e9 de la Gare\par \u8364?50 en liquide}"
    text = extract_text(msg_bytes(mail(body="", rtf=rtf)), "application/vnd.ms-outlook", "m.msg").text
    assert "Café de la Gare\n€50 en liquide" in text and "Arial" not in text


def test_compressed_rtf_is_read_as_the_format_specification_writes_it():
    # [MS-OXRTFCP] 3.1.1's example: back references into the dictionary, then the end marker.
    example = bytes.fromhex(
        "2d0000002b0000004c5a4675f1c5c7a703000a007263706731323542320af32068656c09002062770 5b06c647d0a800fa0".replace(
            " ", ""
        )
    )
    assert rtf_decompress(example, 1 << 20) == b"{\\rtf1\\ansi\\ansicpg1252\\pard hello world}\r\n"
    assert rtf_decompress(rtf_compressed(b"{\\rtf1 x}"), 1 << 20) == b"{\\rtf1 x}"
    assert rtf_decompress(rtf_compressed(b"{\\rtf1 " + b"x" * 5000 + b"}"), 100) == (b"{\\rtf1 " + b"x" * 93)
    # RTF wrapping an HTML body: the tags and the RTF-only parts are not text
    wrapped = (
        rb"{\rtf1\ansi\fromhtml1{\*\htmltag19 <b>}\htmlrtf {\b \htmlrtf0 bold\htmlrtf }\htmlrtf0 {\*\htmltag <br>}}"
    )
    assert rtf_text(wrapped, 1000) == "bold"


def test_an_outlook_message_is_typed_by_libmagic_or_else_by_its_name():
    data = msg_bytes(mail())
    mime = filetypes.mime_of(data[: filetypes.SNIFF_BYTES])
    # libmagic names a .msg only when its first bytes hold the directory's names: else a compound file
    assert mime in ("application/vnd.ms-outlook", "application/x-ole-storage")
    assert text_kind("application/vnd.ms-outlook", "no-extension") == "msg"
    assert text_kind("application/x-ole-storage", "Rendez-vous.MSG") == "msg"
    assert text_kind("application/CDFV2", "mail.msg") == "msg"
    assert text_kind("application/x-ole-storage", "budget.xls") is None  # control: another compound file
    assert text_kind("application/msword", "letter.doc") is None


def test_a_truncated_or_foreign_msg_is_refused_with_its_reason():
    data = msg_bytes(mail())
    assert refusal(data[:1000]) == "text.msg_unreadable"
    assert refusal(data[:3000]) == "text.msg_unreadable"
    assert refusal(b"Subject: not a compound file at all\r\n\r\n" * 50) == "text.msg_unreadable"
    with pytest.raises(TextRefused) as refused:
        extract_text(data[:1000], "application/octet-stream", "cut.msg")
    assert "incomplete OLE sector" in str(refused.value.message["params"]["reason"])
    assert "Meet at the station" in extract_text(data, "application/octet-stream", "whole.msg").text  # control


def test_a_message_attached_is_read_and_nesting_past_the_limit_refused():
    inner = mail(subject="Inner", body="the inner words", attachments=[("deep.txt", b"deep")])
    outer = msg_bytes(mail(messages=[inner]))
    text = extract_text(outer, "application/vnd.ms-outlook", "m.msg").text
    assert "Subject: Inner" in text and "the inner words" in text and "deep.txt" in text
    nested = mail(body="innermost")
    for _ in range(4):
        nested = mail(messages=[nested])
    assert refusal(msg_bytes(nested), Limits(max_depth=3)) == "text.too_deep"
    assert "innermost" in extract_text(msg_bytes(nested), "application/vnd.ms-outlook", "m.msg").text  # control


def test_too_many_attachments_or_a_body_too_large_are_refused():
    many = msg_bytes(mail(attachments=[(f"{n}.txt", b"x") for n in range(6)]))
    assert refusal(many, Limits(max_parts=5)) == "text.too_many_parts"
    assert "5.txt" in extract_text(many, "application/vnd.ms-outlook", "m.msg", Limits(max_parts=6)).text  # control
    large = msg_bytes(mail(body="word " * 2000))
    assert refusal(large, Limits(max_member_bytes=10_000)) == "text.member_too_large"
    assert extract_text(large, "application/vnd.ms-outlook", "m.msg", Limits(max_member_bytes=30_000)).text


def test_the_written_msg_is_a_valid_compound_file():
    data = msg_bytes(mail(attachments=[("big.bin", bytes(range(256)) * 40)]))  # past the mini stream
    with olefile.OleFileIO(data, raise_defects=olefile.DEFECT_INCORRECT) as ole:
        assert ole.openstream("__attach_version1.0_#00000000/__substg1.0_37010102").read() == bytes(range(256)) * 40
        assert ole.openstream("__substg1.0_0037001F").read().decode("utf-16-le") == "Rendez-vous"


def test_a_compound_file_past_the_headers_fat_list_is_written_whole():
    # past 109 FAT sectors (~7 MB), the FAT's sectors are listed in DIFAT sectors
    large = bytes(range(256)) * (9 << 12)
    with olefile.OleFileIO(
        cfb_bytes({"s": {"large": large, "small": b"y"}}), raise_defects=olefile.DEFECT_INCORRECT
    ) as ole:
        assert ole.openstream("s/large").read() == large and ole.openstream("s/small").read() == b"y"
