"""`export_files` carries findings and errors; names that are not UTF-8 stay apart (issue 19, items 9, 12)."""

import csv
import io
import json
import os
import tarfile

from django.core.management import call_command

from evidence.ingest.jobs import ingest_job_create_from_path
from evidence.ingest.sources import name_bytes
from evidence.models import ImageVerification
from tests.evidence.test_encrypted_archives import aes_zip
from tests.evidence.test_ingest import run_inline
from tests.factories import zip_bytes


def export(dossier, file_format: str) -> dict[str, dict]:
    out = io.StringIO()
    call_command("export_files", "--dossier", dossier.notice_number, "--format", file_format, stdout=out)
    if file_format == "csv":
        rows = list(csv.DictReader(io.StringIO(out.getvalue())))
        return {row["path"]: {**row, "findings": json.loads(row["findings"])} for row in rows}
    return {record["path"]: record for record in map(json.loads, out.getvalue().splitlines())}


def hostile_archives(folder) -> None:
    folder.mkdir()
    (folder / "control.txt").write_bytes(b"nothing to say about me\n")
    whole = zip_bytes({"one.txt": b"1" * 300, "two.txt": b"2" * 300})
    (folder / "cut.zip").write_bytes(whole[: whole.index(b"PK\x01\x02")])  # cut before its central directory
    (folder / "locked.zip").write_bytes(aes_zip({"secret.txt": b"hidden\n"}, "s3cret"))
    (folder / "climb.zip").write_bytes(zip_bytes({"../../etc/evil.txt": b"x"}))
    (folder / "nested.zip").write_bytes(zip_bytes({"inner.zip": zip_bytes({"deep.txt": b"deep"})}))


def test_each_files_findings_and_error_are_exported_in_csv_and_json(exhibit, owner, dossier, tmp_path, settings):
    settings.ARCHIVE_MAX_DEPTH = 1  # nested.zip's inner archive is past the depth limit
    hostile_archives(tmp_path / "seized")
    run_inline(ingest_job_create_from_path(exhibit=exhibit, path=tmp_path / "seized", by=owner, queue=False))

    for file_format in ("csv", "json"):
        rows = export(dossier, file_format)
        assert rows["seized/control.txt"]["findings"] == [] and rows["seized/control.txt"]["error"] == ""  # control
        assert any("no central directory" in finding for finding in rows["seized/cut.zip"]["findings"])
        assert "encrypted" in rows["seized/locked.zip/secret.txt"]["error"]
        assert any("path traversal" in finding for finding in rows["seized/climb.zip/../../etc/evil.txt"]["findings"])
        assert any("depth" in finding for finding in rows["seized/nested.zip/inner.zip"]["findings"])


def test_an_image_that_did_not_verify_says_so_in_the_export(evidence_file, dossier):
    assert export(dossier, "json")["SC-1/photo.jpg"]["findings"] == []  # control: nothing to say
    ImageVerification.objects.create(
        file=evidence_file,
        exhibit=evidence_file.exhibit,
        image_format="e01",
        result=ImageVerification.Result.ERROR,
        error="read error at byte 1,048,576",
        verified_at=evidence_file.exhibit.created_at,
    )
    [finding] = export(dossier, "json")["SC-1/photo.jpg"]["findings"]
    assert finding == "image verification: Image not readable to its end: read error at byte 1,048,576"


def test_two_names_that_are_not_utf8_export_as_two_paths_that_read_back(exhibit, owner, dossier, tmp_path):
    folder = os.fsencode(str(tmp_path / "seized"))
    os.mkdir(folder)
    for raw in (b"x\xff.txt", b"x\xfe.txt", b"plain.txt"):
        with open(folder + b"/" + raw, "wb") as out:
            out.write(raw)
    packed = io.BytesIO()
    with tarfile.open(fileobj=packed, mode="w", encoding="utf-8", errors="surrogateescape") as archive:
        for raw in (b"t\xff.txt", b"t\xfe.txt"):
            info = tarfile.TarInfo(os.fsdecode(raw))
            info.size = len(raw)
            archive.addfile(info, io.BytesIO(raw))
    with open(folder + b"/names.tar", "wb") as out:
        out.write(packed.getvalue())
    run_inline(ingest_job_create_from_path(exhibit=exhibit, path=tmp_path / "seized", by=owner, queue=False))

    for file_format in ("csv", "json"):
        rows = export(dossier, file_format)
        assert set(rows) == {
            "seized/plain.txt",  # control: as it is
            "seized/x\\xff.txt",
            "seized/x\\xfe.txt",
            "seized/names.tar",
            "seized/names.tar/t\\xff.txt",
            "seized/names.tar/t\\xfe.txt",
        }
        assert all(rows[path]["error"] == "" for path in rows)
        assert name_bytes("seized/x\\xff.txt") == b"seized/x\xff.txt"
