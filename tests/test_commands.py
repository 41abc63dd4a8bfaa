import csv
import hashlib
import io
import json

import pytest
from django.core.management import CommandError, call_command

from evidence.models import EvidenceFile, IngestJob
from hashing.models import HashListVersion
from tests.factories import image_files, sha256_hex


def run(*args) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_import_hashlist_prints_counts_and_malformed_lines(db, tmp_path):
    path = tmp_path / "list.txt"
    path.write_text("# comment\n" + hashlib.md5(b"1").hexdigest() + "\nzzz\n" + hashlib.md5(b"1").hexdigest() + "\n")
    output = run("import_hashlist", str(path), "--name", "Test list", "--kind", "ignorable")
    assert "1 entries, 1 duplicates, 1 malformed lines" in output and "line 3: not a hexadecimal hash" in output
    version = HashListVersion.objects.get()
    assert version.is_active and version.hash_list.kind == "ignorable"


def test_import_hashlist_refuses_a_missing_file(db, tmp_path):
    with pytest.raises(CommandError, match="no such file"):
        run("import_hashlist", str(tmp_path / "missing.txt"), "--name", "x")


@pytest.mark.django_db(transaction=True)
def test_ingest_waits_for_the_worker_then_export_lists_every_file(tmp_path, celery_worker):
    files = image_files(tmp_path / "card", range(1, 4))
    listed = tmp_path / "list.txt"
    listed.write_text(sha256_hex(files["img2.jpg"]) + "\n")
    run("import_hashlist", str(listed), "--name", "Alerts", "--category", "1")
    output = run(
        "ingest",
        str(tmp_path / "card"),
        "--dossier",
        "BR.52.L1.000777/26",
        "--exhibit",
        "USB-1",
        "--wait",
        "--timeout",
        "60",
    )
    assert "Done: 3/3 files" in output
    assert IngestJob.objects.get().status == "done"
    records = [json.loads(line) for line in run("export_files", "--dossier", "BR.52.L1.000777/26").splitlines()]
    by_path = {record["path"]: record for record in records}
    assert set(by_path) == {"card/img1.jpg", "card/img2.jpg", "card/img3.jpg"}
    assert by_path["card/img2.jpg"]["triage"] == "known" and by_path["card/img2.jpg"]["list"] == "Alerts"
    assert by_path["card/img1.jpg"]["md5"] == hashlib.md5(files["img1.jpg"]).hexdigest()
    rows = list(csv.DictReader(io.StringIO(run("export_files", "--dossier", "BR.52.L1.000777/26", "--format", "csv"))))
    assert [row["triage"] for row in rows] == ["new_image", "known", "new_image"]
    assert EvidenceFile.objects.count() == 3


def test_ingest_refuses_a_path_that_does_not_exist(db, tmp_path):
    with pytest.raises(CommandError, match="no such file or folder"):
        run("ingest", str(tmp_path / "nope"), "--dossier", "BR.52.L1.000777/26", "--exhibit", "USB-1")


def test_ingest_opens_a_dossier_only_with_a_notice_number_the_pages_would_accept(db, tmp_path):
    from audit.models import AuditEvent
    from cases.models import Dossier

    (tmp_path / "card").mkdir()
    (tmp_path / "card" / "a.txt").write_bytes(b"a")
    with pytest.raises(CommandError, match="A notice number looks like BR.52.L1.012345/25"):
        run("ingest", str(tmp_path / "card"), "--dossier", "my case", "--exhibit", "USB-1")
    assert not Dossier.objects.exists() and not IngestJob.objects.exists()
    # Control: the same spelling rules as the page (trimmed, upper case); dossier and exhibit are audited.
    run("ingest", str(tmp_path / "card"), "--dossier", " br.52.l1.000777/26 ", "--exhibit", " USB-1 ")
    dossier = Dossier.objects.get()
    assert dossier.notice_number == "BR.52.L1.000777/26" and dossier.exhibits.get().seal_number == "USB-1"
    assert set(AuditEvent.objects.values_list("action", flat=True)) >= {"dossier.create", "exhibit.register"}
    run("ingest", str(tmp_path / "card"), "--dossier", "BR.52.L1.000777/26", "--exhibit", "USB-1")
    assert Dossier.objects.count() == 1 and IngestJob.objects.filter(exhibit__seal_number="USB-1").count() == 2
