"""Sharing a dossier's categorised material as hashes, and feeding it back into a local alert list."""

import csv
import hashlib
import io

from django.db import transaction
from django.utils import timezone

from audit.services import audit_record
from evidence.models import EvidenceFile
from evidence.triage.lists import hash_list_import_queue
from hashing.models import HashList, HashListVersion
from hashing.services import hash_list_version_create
from hashing.vics_export import icse_bytes, vics_bytes, vics_document

LOCAL_ALERT_LIST = "Local reviewed material"
LIST_COLUMNS = ("md5", "sha1", "sha256", "phash", "pdq", "category", "series")


def shared_files(dossier, *, exhibit=None):
    """The dossier's (or one exhibit's) known material: on an alert list or categorised by a reviewer."""
    files = EvidenceFile.objects.filter(exhibit__dossier=dossier).known_material()
    if exhibit is not None:
        files = files.filter(exhibit=exhibit)
    return files.order_by("exhibit__seal_number", "path", "id")


def case_id_of(dossier, exhibit=None) -> str:
    return dossier.notice_number + (f" {exhibit.seal_number}" if exhibit is not None else "")


def export_build(*, dossier, kind: str, by, exhibit=None, ip: str | None = None) -> tuple[bytes, str]:
    """The export's bytes and file name; audited with the count and the sha256 of exactly these bytes."""
    files = list(shared_files(dossier, exhibit=exhibit).iterator(chunk_size=2000))
    if kind == "vics":
        document = vics_document(files, case_id=case_id_of(dossier, exhibit), case_number=dossier.notice_number)
        content, extension = vics_bytes(document), "json"
    else:
        content, extension = icse_bytes(files), "csv"
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
    safe = "".join(c if c.isalnum() else "-" for c in case_id_of(dossier, exhibit))
    name = f"{safe}-{kind}-{stamp}.{extension}"
    audit_record(
        actor=by,
        action=f"export.{kind}",
        target=exhibit or dossier,
        dossier=dossier,
        ip=ip,
        files=len(files),
        sha256=hashlib.sha256(content).hexdigest(),
        file_name=name,
    )
    return content, name


def _reviewed_rows(dossier):
    """Rows of the local list's next file: the dossier's reviewed alert files (the importer adds the rest)."""
    for evidence_file in _reviewed_alert_files(dossier).order_by("id").iterator(chunk_size=2000):
        yield {
            "md5": evidence_file.md5_hex,
            "sha1": evidence_file.sha1_hex,
            "sha256": evidence_file.sha256_hex,
            "phash": evidence_file.phash_hex,
            "pdq": evidence_file.pdq_hex,
            "category": evidence_file.match_category,
            "series": evidence_file.review_series,
        }


def _reviewed_alert_files(dossier):
    return EvidenceFile.objects.filter(exhibit__dossier=dossier, reviewed_at__isnull=False).known_material()


def reviewed_alert_count(dossier) -> int:
    return _reviewed_alert_files(dossier).count()


@transaction.atomic
def local_alert_list_extend(*, dossier, by, ip: str | None = None, queue: bool = True) -> HashListVersion:
    """A new version of the local alert list: the version active when it is imported, plus this dossier's material.

    The request writes only this dossier's reviewed material. The worker that imports it takes in
    the version active at that moment, under a lock on the list, and activates the whole
    (``adds_to_active``, hashing.importers): two dossiers adding at once are merged one after the
    other and neither loses its files. Activating matches every dossier's files again: the next
    dossier holding the same material sees it as known at once. Without ``queue`` the caller runs
    the import (tests).
    """
    out = io.StringIO()
    # The csv module itself, not config.spreadsheets: this file is read back by the list importer,
    # not opened in a spreadsheet, and a series must reach the list exactly as the reviewer typed it.
    writer = csv.DictWriter(out, fieldnames=LIST_COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(_reviewed_rows(dossier))
    version = hash_list_version_create(
        name=LOCAL_ALERT_LIST,
        kind=HashList.Kind.ALERT,
        stream=io.BytesIO(out.getvalue().encode()),
        file_name=f"local-{timezone.localtime():%Y%m%d-%H%M%S}.csv",
        label=f"{dossier.notice_number} {timezone.localtime():%Y-%m-%d %H:%M:%S}",
        source=f"reviewed in {dossier.notice_number}",
        adds_to_active=True,
        by=by,
        ip=ip,
    )
    if queue:
        hash_list_import_queue(version)
    audit_record(
        actor=by,
        action="review.alert_list",
        target=dossier,
        ip=ip,
        version=version.pk,
        files=reviewed_alert_count(dossier),
    )
    return version
