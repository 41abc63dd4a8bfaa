"""Every list format, parsed without a database, from small synthetic files, broken ones included."""

import io
import json

import pytest

from config.messages import english
from hashing.listformats import PARSERS, Entry, FormatError, Malformed, detect_format, guess_mapping
from tests.hashing import listdata

ROWS = listdata.random_digests(4)


def parse(file_format: str, content: bytes, **options):
    return list(PARSERS[file_format](io.BytesIO(content), **options))


def entries(items):
    return [item for item in items if isinstance(item, Entry)]


def test_each_format_is_recognised_from_its_content(tmp_path):
    assert detect_format(listdata.hashdeep_text(ROWS)) == "hashdeep"
    assert detect_format(listdata.vics_1(ROWS)) == "vics"
    assert detect_format(listdata.vics_2_cases(ROWS)) == "vics"
    assert detect_format(listdata.icse_text(ROWS)) == "icse"
    assert detect_format(b"\xef\xbb\xbfFile name,MD5 hash,Category\r\n") == "csv"
    assert detect_format(listdata.nsrl_database(tmp_path / "rds.db", ROWS).read_bytes()[:4096]) == "nsrl"
    assert detect_format(f"{ROWS[0]['md5']}\tphoto.jpg\n".encode()) == "plain"
    assert detect_format(b"") == "empty"


def test_hashdeep_gives_three_entries_per_row_and_keeps_commas_in_file_names():
    items = parse("hashdeep", listdata.hashdeep_text(ROWS))
    assert len(items) == 12 and all(isinstance(item, Entry) for item in items)
    assert (items[0].line, items[0].algorithm, items[0].value.hex()) == (6, "md5", ROWS[0]["md5"])
    assert items[2].algorithm == "sha256" and items[2].name == "/evidence/photo, 0.jpg"


def test_a_hashdeep_row_with_a_bad_digest_is_malformed_and_the_next_row_kept():
    text = listdata.hashdeep_text(ROWS[:2]).replace(ROWS[0]["sha1"].encode(), b"zz" * 20)
    items = parse("hashdeep", text)
    assert [type(item) for item in items] == [Malformed, Entry, Entry, Entry]
    assert items[0].line == 6 and "sha1" in english(items[0].reason)


def test_csv_columns_are_mapped_by_their_header_or_by_hand():
    content = (
        "File name,MD5 hash,SHA-256,Category,Series,pHash,PDQ\r\n"
        f"a.jpg,{ROWS[0]['md5'].upper()},{ROWS[0]['sha256']},1,beach,0x8f373714acfcf4d0,{'0f' * 32}\r\n"
    ).encode()
    items = parse("csv", b"\xef\xbb\xbf" + content)
    assert [item.algorithm for item in items] == ["md5", "sha256", "phash", "pdq"]
    assert {(item.category, item.series, item.name) for item in items} == {("1", "beach", "a.jpg")}
    assert items[2].value == bytes.fromhex("8f373714acfcf4d0")
    by_hand = parse("csv", content, mapping={"sha256": "MD5 hash", "category": "Series"})
    assert entries(by_hand) == [] and "sha256: 32 hex digits" in english(by_hand[0].reason)
    by_hand = parse("csv", content, mapping={"md5": "MD5 hash"})
    assert [(item.algorithm, item.category) for item in by_hand] == [("md5", "")]


def test_csv_with_wrong_column_count_bad_hex_or_a_non_utf8_byte_is_malformed_per_line():
    content = (
        f"md5;category\n{ROWS[0]['md5']};1\n{ROWS[1]['md5']}\nnot-hex;1\n".encode()
        + b"\xff\xfe;1\n"
        + f"{ROWS[2]['md5']};2\n".encode()
    )
    items = parse("csv", content)
    assert [(type(item).__name__, item.line) for item in items] == [
        ("Entry", 2),
        ("Malformed", 3),
        ("Malformed", 4),
        ("Malformed", 5),
        ("Entry", 6),
    ]
    assert "1 columns, expected 2" in english(items[1].reason) and "not hexadecimal" in english(items[2].reason)
    assert "not UTF-8" in english(items[3].reason)


def test_csv_without_any_hash_column_is_refused_and_a_mapped_one_is_read():
    with pytest.raises(FormatError, match="no column is mapped"):
        parse("csv", b"name,colour\na,blue\n")
    assert guess_mapping(["name", "colour", "md5"]) == {"name": "name", "md5": "md5"}


def test_icse_keeps_photodna_and_the_flags_as_opaque_data():
    items = parse("icse", listdata.icse_text(ROWS))
    assert len(items) == 8 and items[0].line == 2
    assert items[0].value.hex() == ROWS[0]["md5"] and items[1].algorithm == "sha1"
    assert items[0].series == "series 0"
    assert items[0].extra["PhotoDNA"] == "AAAA0==" and items[0].extra["Baseline"] == "No"


def test_icse_with_another_header_is_refused():
    with pytest.raises(FormatError, match="ICSE"):
        parse("icse", b"SHA1;MD5;PhotoDNA\n")


def test_vics_1_media_with_bom_crlf_tabs_and_upper_case_hex():
    items = parse("vics", listdata.vics_1(ROWS))
    assert all(isinstance(item, Entry) for item in items)
    assert [item.algorithm for item in items[:4]] == ["md5", "sha1", "sha256", "pdq"]
    first = items[0]
    assert first.value.hex() == ROWS[0]["md5"] and first.category == "1" and first.series == "series-0"
    assert first.name == "img0.jpg" and first.extra["IsDistributed"] is True and first.line == 1
    assert len(items) == 16


def test_vics_2_cases_hold_their_media_and_a_case_id_written_before_them_is_kept():
    items = parse("vics", listdata.vics_2_cases(ROWS))
    assert len(items) == 16 and items[-1].line == 4
    assert items[0].extra["CaseID"].startswith("{6C1C")
    # Streamed: a CaseID written after its Media is not known yet when they are read.
    assert "CaseID" not in items[-1].extra


def test_vics_2_media_context_and_a_pdq_and_phash_among_alternative_hashes():
    media = {"MD5": ROWS[0]["md5"], "Hashes": [{"HashName": "pHash", "HashValue": "8f373714acfcf4d0"}]}
    document = {"@odata.context": "http://x/DataModels/2.0.xml/US/$metadata#Media", "value": [media]}
    items = parse("vics", json.dumps(document).encode())
    assert [item.algorithm for item in items] == ["md5", "phash"]


def test_a_vics_media_with_a_bad_hash_is_malformed_and_the_others_kept():
    document = json.loads(listdata.vics_1(ROWS[:2]).decode("utf-8-sig"))
    document["value"][0]["SHA1"] = "XYZ"
    items = parse("vics", json.dumps(document).encode())
    assert isinstance(items[0], Malformed) and items[0].line == 1 and "sha1" in english(items[0].reason)
    assert len(entries(items)) == 4


def test_truncated_vics_fails_with_its_byte_and_line_position():
    content = listdata.vics_1(ROWS)
    with pytest.raises(FormatError, match=r"JSON syntax error at byte \d+, line \d+"):
        parse("vics", content[: len(content) // 2])
    broken = content.replace(b'"Category": 1', b'"Category" 1', 1)
    with pytest.raises(FormatError) as error:
        parse("vics", broken)
    position = broken.index(b'"Category" 1') + len(b'"Category" ')
    line = broken[:position].count(b"\n") + 1
    assert f"line {line}" in str(error.value)


def test_nsrl_rds_is_read_from_sqlite_read_only(tmp_path):
    path = listdata.nsrl_database(tmp_path / "RDS_2024.03.1_modern_minimal.db", ROWS)
    before = path.read_bytes()
    with path.open("rb") as stream:
        items = list(PARSERS["nsrl"](stream))
    assert len(items) == 12 and [item.algorithm for item in items[:3]] == ["sha256", "sha1", "md5"]
    assert items[0].value.hex() == ROWS[0]["sha256"] and items[0].name == "lib0.dll"
    assert items[0].extra == {"file_size": 4096, "package_id": 190}
    assert path.read_bytes() == before


def test_a_file_that_is_not_an_nsrl_database_is_refused(tmp_path):
    path = tmp_path / "other.db"
    path.write_bytes(b"SQLite format 3\x00" + b"\x00" * 100)
    with path.open("rb") as stream, pytest.raises(FormatError, match="NSRL"):
        list(PARSERS["nsrl"](stream))
