"""Sharing categorised material as hashes only: Project VIC VICS 2.0 JSON and an ICSE-style CSV.

No Django here: ``files`` are any objects with the attributes of an EvidenceFile (md5, sha1,
sha256, phash, pdq as bytes or None; size; mime; match_category, match_algorithm; review_category,
review_series), so the same code exports ingested files and files shared in chats. No image,
no file name and no path is ever written: a hash set names nothing.
"""

import io
import json
from collections.abc import Iterable

from config.spreadsheets import SpreadsheetWriter
from hashing.listformats.tables import ICSE_HEADER

VICS_CONTEXT = "http://github.com/ICMEC/ProjectVic/DataModels/2.0.xml/Default/$metadata#Cases"
SOURCE_APPLICATION = "Scellé"
REVIEW_ALGORITHM = "review"


def _hex(value) -> str:
    return bytes(value).hex().upper() if value is not None else ""


def category_of(evidence_file) -> str:
    return evidence_file.match_category or evidence_file.review_category or ""


def media_record(evidence_file, media_id: int) -> dict:
    """One VICS Media: MD5 and SHA1 as fields, SHA-256, PDQ and pHash as alternative hashes."""
    category = category_of(evidence_file)
    record = {
        "MediaID": media_id,
        "Category": int(category) if category.isdigit() else category,
        "MD5": _hex(evidence_file.md5),
        "SHA1": _hex(evidence_file.sha1),
        "MediaSize": evidence_file.size,
        # Known from a list before this case (not categorised by our own reviewers).
        "IsPrecategorized": bool(evidence_file.match_algorithm) and evidence_file.match_algorithm != REVIEW_ALGORITHM,
        "IsDistributed": None,
        "VictimIdentified": None,
        "OffenderIdentified": None,
    }
    if series := getattr(evidence_file, "review_series", ""):
        record["Series"] = series
    alternatives = [
        {"HashName": name, "HashValue": _hex(getattr(evidence_file, field))}
        for name, field in (("SHA256", "sha256"), ("PDQ", "pdq"), ("pHash", "phash"))
        if getattr(evidence_file, field, None) is not None
    ]
    if alternatives:
        record["AlternativeHashes"] = alternatives
    return {key: value for key, value in record.items() if value != ""}


def vics_document(
    files: Iterable, *, case_id: str, case_number: str = "", source_version: str = "", contact: str = ""
) -> dict:
    """A VICS 2.0 document holding one case whose Media are ``files`` (callers choose which)."""
    case = {
        "CaseID": case_id,
        "CaseNumber": case_number,
        "SourceApplicationName": SOURCE_APPLICATION,
        "SourceApplicationVersion": source_version,
        "ContactName": contact,
        "Media": [media_record(evidence_file, number) for number, evidence_file in enumerate(files, start=1)],
    }
    return {"@odata.context": VICS_CONTEXT, "value": [case]}


def vics_bytes(document: dict) -> bytes:
    return json.dumps(document, ensure_ascii=False, indent=1).encode("utf-8")


def icse_bytes(files: Iterable) -> bytes:
    """An ICSE-style CSV (``;``-separated, ICSE's header); PhotoDNA is left empty (we cannot compute it)."""
    out = io.StringIO()
    writer = SpreadsheetWriter(out, delimiter=";", lineterminator="\r\n")
    out.write(ICSE_HEADER + "\r\n")
    for number, evidence_file in enumerate(files, start=1):
        media_type = "Video" if evidence_file.mime.startswith("video/") else "Image"
        series = getattr(evidence_file, "review_series", "")
        writer.writerow(
            [_hex(evidence_file.md5), _hex(evidence_file.sha1), "", number, "", "", "", series, 1, "No", media_type, ""]
        )
    return out.getvalue().encode("utf-8")
