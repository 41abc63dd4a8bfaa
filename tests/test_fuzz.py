"""Fuzzing (hypothesis) of what reads hostile input: the hash-list parsers and the archive walker.

Whatever the bytes, a parser yields entries and malformed records or raises FormatError, and the
walker yields members and findings: nothing else escapes, nothing hangs.
"""

import io
import zipfile

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from evidence.ingest.archives.limits import Limits
from evidence.ingest.archives.members import WalkReport
from evidence.ingest.archives.walk import archive_kind, walk
from hashing.listformats import PARSERS, Entry, FormatError, Malformed, detect_format
from tests.factories import zip_bytes

# Deterministic, so that CI stays green between sessions; widen max_examples locally to hunt further.
FUZZ = settings(max_examples=300, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
LINE = st.one_of(
    st.binary(max_size=120),
    st.text(alphabet="0123456789abcdefABCDEF #,;*\t\r", max_size=90).map(str.encode),
)


@FUZZ
@given(st.lists(LINE, max_size=30), st.sampled_from(["plain", "hashdeep", "csv", "icse", "vics"]))
def test_a_parser_fed_anything_yields_records_or_a_format_error(lines, file_format):
    data = b"\n".join(lines)
    try:
        items = list(PARSERS[file_format](io.BytesIO(data)))
    except FormatError:
        return
    assert all(isinstance(item, (Entry, Malformed)) for item in items)
    assert all(item.line >= 1 for item in items if isinstance(item, Malformed) and item.line is not None)


@FUZZ
@given(st.binary(max_size=4096))
def test_format_detection_never_fails(head):
    assert detect_format(head) in {*PARSERS, "empty"}


@FUZZ
@given(st.data())
def test_the_archive_walker_survives_any_damage_to_a_zip(data):
    archive = bytearray(
        zip_bytes({"a/one.txt": b"1" * 300, "two.bin": bytes(range(256)) * 3, "n.zip": zip_bytes({"x": b"x"})})
    )
    for _ in range(data.draw(st.integers(1, 8))):
        position = data.draw(st.integers(0, len(archive) - 1))
        archive[position] = data.draw(st.integers(0, 255))
    archive = bytes(archive[: data.draw(st.integers(4, len(archive)))])
    report = WalkReport()
    kind = archive_kind(archive) or "zip"
    try:
        members = list(walk(io.BytesIO(archive), kind, "a.zip", Limits(), report, len(archive)))
    except zipfile.BadZipFile:  # pragma: no cover - the walker must catch this itself
        raise AssertionError("the walker let BadZipFile escape") from None
    for member in members:
        assert member.error or member.digests is not None
