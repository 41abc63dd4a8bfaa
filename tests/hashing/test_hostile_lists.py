"""Hostile list files: a line of megabytes, UTF-16 and files that are not text (issue 19, items 6 and 11)."""

import hashlib
import io

import pytest

from config.messages import english, message
from hashing.importers import hash_list_version_import
from hashing.listformats import Entry, Malformed, Run, detect_format, open_list
from hashing.listformats.base import MAX_LINE, line_blocks
from hashing.listformats.text import parse_plain_runs
from hashing.models import HashListVersion
from hashing.services import hash_list_version_create
from tests.factories import make_hash_list, stored_digests

MD5S = [hashlib.md5(str(n).encode()).hexdigest() for n in range(10_001)]
TOO_LONG = f"line longer than {MAX_LINE:,} bytes"  # as the reason reads in English
TOO_LONG_MESSAGE = message("list.line_too_long", limit=MAX_LINE)  # as it is stored


def import_bytes(admin, content: bytes, name: str = "List", file_name: str = "list.txt") -> HashListVersion:
    version = hash_list_version_create(
        name=name, kind="alert", stream=io.BytesIO(content), file_name=file_name, by=admin
    )
    return hash_list_version_import(version=version)


def list_with_a_long_line(length: int) -> bytes:
    """One MD5, a line of ``length`` bytes, then 10,000 MD5s (the shape of issue 19's item 6)."""
    return (MD5S[0] + "\n" + "x" * length + "\n" + "\n".join(MD5S[1:]) + "\n").encode()


def digests_and_malformed(items) -> tuple[list[str], list[Malformed]]:
    digests, malformed = [], []
    for item in items:
        if isinstance(item, Run):
            width = len(item.values) // item.count
            digests += [item.values[i : i + width].hex() for i in range(0, len(item.values), width)]
        elif isinstance(item, Entry):
            digests.append(item.value.hex())
        else:
            malformed.append(item)
    return digests, malformed


@pytest.mark.parametrize("block_size", [1000, 4096, 65536, 4 << 20])
def test_every_hash_after_a_line_of_megabytes_is_read_and_the_line_is_one_malformed_line(block_size):
    digests, malformed = digests_and_malformed(
        parse_plain_runs(io.BytesIO(list_with_a_long_line(3 << 20)), block_size=block_size)
    )
    assert digests == MD5S
    assert malformed == [Malformed(2, TOO_LONG_MESSAGE)]


@pytest.mark.parametrize("length", [MAX_LINE, MAX_LINE + 1, 4095 * 3, 4096 * 3 - 33, 4096 * 3 - 34])
def test_a_long_line_ending_on_any_block_boundary_loses_no_line(length):
    digests, malformed = digests_and_malformed(
        parse_plain_runs(io.BytesIO(list_with_a_long_line(length)), block_size=4096)
    )
    assert digests == MD5S
    # A line of MAX_LINE bytes is read whole (and is no hash); one byte more is too long.
    assert malformed == [Malformed(2, message("list.not_hex") if length <= MAX_LINE else TOO_LONG_MESSAGE)]


def test_no_block_holds_more_than_a_block_and_a_line_whatever_the_file_holds():
    content = list_with_a_long_line(2 << 20) + b"y" * (2 << 20)  # and a last line of megabytes without its end
    blocks = list(line_blocks(io.BytesIO(content), 4096))
    assert max(len(block) for block in blocks) <= 4096 + MAX_LINE + 2
    assert sum(block.count(b"\n") for block in blocks) == 10_003  # every line counted once
    assert blocks[-1] == b"y" * (MAX_LINE + 1) + b"\n"  # cut: reported as too long


def test_a_list_with_a_line_of_megabytes_imports_every_hash_and_names_the_line(admin):
    version = import_bytes(admin, list_with_a_long_line(3 << 20))
    assert (version.status, version.entries, version.malformed) == ("ready", 10_001, 1)
    assert [[line, english(reason)] for line, reason in version.malformed_sample] == [[2, TOO_LONG]]
    assert version.lines_read == 10_002 and version.progress_done == version.progress_total
    assert set(stored_digests(version)) == set(MD5S)


def test_control_the_same_list_without_the_long_line_imports_the_same_hashes(admin):
    version = make_hash_list("List", MD5S, by=admin)
    assert (version.status, version.entries, version.malformed, version.lines_read) == ("ready", 10_001, 0, 10_001)


def test_a_csv_with_a_line_of_megabytes_keeps_its_other_rows(admin):
    rows = [f"{md5},photo-{n}.jpg,1" for n, md5 in enumerate(MD5S[:50])]
    content = ("md5,name,category\n" + rows[0] + "\n" + "a," * (1 << 20) + "\n" + "\n".join(rows[1:]) + "\n").encode()
    version = import_bytes(admin, content, file_name="list.csv")
    assert (version.file_format, version.status, version.entries, version.malformed) == ("csv", "ready", 50, 1)
    assert [[line, english(reason)] for line, reason in version.malformed_sample] == [[3, TOO_LONG]]


LISTS = {
    "plain": "# exported by a Windows tool\r\n" + "\r\n".join(MD5S[:20]) + "\r\n",
    "csv": "MD5;Category;Series\r\n" + "".join(f"{md5};1;série {n}\r\n" for n, md5 in enumerate(MD5S[:20])),
}


@pytest.mark.parametrize("kind", ["plain", "csv"])
@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be", "utf-8-sig", "utf-32", "utf-8"])
def test_a_list_saved_as_utf16_or_with_a_bom_imports_like_its_utf8_copy(admin, kind, encoding):
    text = LISTS[kind]
    # Python's "utf-16" and "utf-32" write the byte order mark (little-endian here); "utf-16-be" does not.
    content = (("\ufeff" + text) if encoding == "utf-16-be" else text).encode(encoding)
    version = import_bytes(admin, content, name=f"{kind}-{encoding}", file_name=f"list.{kind}")
    assert (version.file_format, version.status, version.malformed) == (kind, "ready", 0), version.malformed_sample
    assert set(stored_digests(version)) == set(MD5S[:20])
    assert version.progress_done == version.progress_total == len(content)
    if kind == "csv":
        assert set(version.hash_entries.values_list("series", flat=True)) == {f"série {n}" for n in range(20)}


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be", "utf-32-le"])
def test_a_list_in_utf16_without_its_byte_order_mark_fails_with_one_error_that_names_the_encoding(admin, encoding):
    good = make_hash_list("List", MD5S[:3], by=admin)
    version = import_bytes(admin, LISTS["plain"].encode(encoding))
    good.refresh_from_db()
    assert (version.file_format, version.status, version.malformed) == ("unreadable", "failed", 0)
    assert "UTF-16" in english(version.error) and "byte order mark" in english(version.error)
    assert good.is_active and not version.is_active  # the list in force is untouched


def test_a_binary_file_is_refused_as_a_whole_not_line_by_line(admin):
    version = import_bytes(admin, bytes(range(256)) * 64)
    assert (version.status, version.malformed) == ("failed", 0) and "not a text file" in english(version.error)


def test_a_latin1_file_name_spoils_no_hash(admin):
    """Control: bytes that are not UTF-8 in a name are not an unreadable file."""
    version = import_bytes(admin, f"{MD5S[0]}  photo-\xe9t\xe9.jpg\n{MD5S[1]}\n".encode("latin-1"))
    assert (version.status, version.entries, version.malformed) == ("ready", 2, 0)


def test_format_detection_reads_through_the_byte_order_mark():
    for encoding in ("utf-16", "utf-16-be", "utf-32"):
        content = ("\ufeff" if encoding.endswith("be") else "") + "md5,category\n" + MD5S[0] + ",1\n"
        assert detect_format(open_list(io.BytesIO(content.encode(encoding))).read(4096)) == "csv"
    assert detect_format("md5,category\n".encode("utf-16-le")) == "unreadable"  # no byte order mark


def test_utf16_lines_are_read_one_at_a_time_within_their_limit():
    stream = open_list(io.BytesIO(("\ufeffab\ncd" + "e" * 100 + "\n").encode("utf-16-le")))
    assert stream.readline(10) == b"ab\n"
    assert stream.readline(10) == b"cdeeeeeeee"
    assert stream.read() == b"e" * 92 + b"\n" and stream.read(5) == b""


def test_the_preview_of_a_utf16_csv_shows_its_columns_and_rows(client, admin):
    content = LISTS["csv"].encode("utf-16")
    version = hash_list_version_create(
        name="Partner", kind="alert", stream=io.BytesIO(content), file_name="x.csv", by=admin, draft=True
    )
    client.force_login(admin)
    page = client.get(f"/lists/versions/{version.pk}/preview/").content.decode()
    assert "Series" in page and MD5S[0] in page and "not a hexadecimal" not in page


def test_the_preview_of_a_list_without_its_byte_order_mark_says_why_it_cannot_be_read(client, admin):
    content = LISTS["plain"].encode("utf-16-le")
    version = hash_list_version_create(
        name="Partner", kind="alert", stream=io.BytesIO(content), file_name="x.txt", by=admin, draft=True
    )
    client.force_login(admin)
    response = client.get(f"/lists/versions/{version.pk}/preview/")
    assert response.status_code == 200 and "without its byte order mark" in response.content.decode()
