"""Sharing a dossier's categorised material as hashes, and feeding it back into a local alert list."""

import csv
import hashlib
import io

from django.db import transaction
from django.utils import timezone

from audit.services import audit_record
from evidence.models import EvidenceFile
from hashing.listformats import DIGEST_BYTES
from hashing.models import HashEntry, HashList, HashListVersion
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


def _hex(value) -> str:
    return bytes(value).hex() if value is not None else ""


def _local_list_rows(dossier):
    """Rows of the next local list: the active version's entries, then the dossier's reviewed alert files."""
    hash_list = HashList.objects.filter(name=LOCAL_ALERT_LIST).first()
    active = hash_list.active_version if hash_list else None
    if active is not None:
        for entry in active.hash_entries.order_by("id").iterator(chunk_size=5000):
            row = dict.fromkeys(LIST_COLUMNS, "")
            row[HashEntry.NAMES[entry.algorithm]] = _hex(entry.value)
            row.update(category=entry.category, series=entry.series)
            yield row
        blocks = active.digest_blocks.order_by("algorithm", "prefix").values_list("algorithm", "category", "digests")
        for algorithm, category, packed in blocks.iterator(chunk_size=500):
            name = HashEntry.NAMES[algorithm]
            width = DIGEST_BYTES[name]
            for start in range(0, len(packed), width):
                row = dict.fromkeys(LIST_COLUMNS, "")
                row.update({name: bytes(packed[start : start + width]).hex(), "category": category})
                yield row
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
def local_alert_list_extend(*, dossier, by, ip: str | None = None) -> HashListVersion:
    """A new version of the local alert list: its entries so far plus this dossier's reviewed material.

    A worker imports it like any list file (a CSV) and activates it, which matches every dossier's
    files again: the next dossier holding the same material sees it as known at once.
    """
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=LIST_COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(_local_list_rows(dossier))
    content = out.getvalue().encode()
    version = hash_list_version_create(
        name=LOCAL_ALERT_LIST,
        kind=HashList.Kind.ALERT,
        stream=io.BytesIO(content),
        file_name=f"local-{timezone.localtime():%Y%m%d-%H%M%S}.csv",
        label=f"{dossier.notice_number} {timezone.localtime():%Y-%m-%d %H:%M:%S}",
        source=f"reviewed in {dossier.notice_number}",
        by=by,
        ip=ip,
    )
    audit_record(
        actor=by,
        action="review.alert_list",
        target=dossier,
        ip=ip,
        version=version.pk,
        files=reviewed_alert_count(dossier),
    )
    return version
