"""Fuzzing (hypothesis) of what reads hostile input: the hash-list parsers, the archive walker, the
e-mail readers (attachments as members, and their text).

Whatever the bytes, a parser yields entries and malformed records or raises FormatError, the
walker yields members and findings, a text reader gives text or refuses with a reason (TextRefused):
nothing else escapes, nothing hangs.
"""

import io
import zipfile

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from demo.outlook import OutlookMail, msg_bytes
from evidence.ingest.archives.limits import Limits
from evidence.ingest.archives.members import WalkReport
from evidence.ingest.archives.walk import archive_kind, walk
from hashing.listformats import PARSERS, Entry, FormatError, Malformed, detect_format
from tests.evidence.test_mail_walk import eml
from tests.factories import zip_bytes
from texts.extraction import extract_text
from texts.limits import TextRefused

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


def _damaged(data, original: bytes) -> bytes:
    damaged = bytearray(original)
    for _ in range(data.draw(st.integers(1, 8))):
        position = data.draw(st.integers(0, len(damaged) - 1))
        damaged[position] = data.draw(st.integers(0, 255))
    return bytes(damaged[: data.draw(st.integers(1, len(damaged)))])


def _mails() -> dict[str, tuple[bytes, str, str]]:
    """One of each e-mail the walker opens, with an attachment each: (bytes, kind, MIME type)."""
    inner = eml("inner", [("deep.txt", b"deep " * 40)])
    message = eml("outer", [("a.txt", b"alpha " * 60), ("inner.eml", inner), ("n.zip", zip_bytes({"x": b"x"}))])
    outlook = msg_bytes(
        OutlookMail(
            subject="s",
            sender=("A", "a@example.org"),
            to=[("B", "b@example.org")],
            body="body",
            attachments=[("a.txt", b"alpha " * 60)],
            messages=[OutlookMail(subject="in", sender=("C", "c@example.org"), to=[], body="inside")],
        )
    )
    mailbox = (
        b"From a@example.org Mon Dec  7 09:00:00 2026\n"
        + message
        + b"\nFrom b@example.org Mon Dec  7 10:00:00 2026\n"
        + inner
    )
    return {
        "m.eml": (message, "mail", "message/rfc822"),
        "m.msg": (outlook, "msg", "application/vnd.ms-outlook"),
        "box.mbox": (mailbox, "mbox", "application/mbox"),
    }


MAILS = _mails()  # built once: hypothesis runs the test 300 times


@FUZZ
@given(st.data(), st.sampled_from(sorted(MAILS)))
def test_the_mail_walker_and_text_readers_survive_any_damage(data, name):
    original, kind, mime = MAILS[name]
    damaged = _damaged(data, original)
    report = WalkReport()
    members = list(walk(io.BytesIO(damaged), kind, name, Limits(), report, len(damaged)))
    for member in members:
        assert member.error or member.digests is not None
    try:
        extract_text(damaged, mime, name)
    except TextRefused:
        pass


def test_undamaged_the_fuzzed_mails_give_their_attachments_and_text():
    """Control of the test above: the same e-mails whole are walked and read."""
    for name, (original, kind, mime) in MAILS.items():
        report = WalkReport()
        paths = {m.path for m in walk(io.BytesIO(original), kind, name, Limits(), report, len(original))}
        assert any(path.endswith("a.txt") for path in paths), (name, paths)
        assert extract_text(original, mime, name).text.strip(), name
