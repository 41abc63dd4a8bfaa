"""Reads for the court reports and the statistics page: a few aggregate queries each, scoped to the user."""

import subprocess  # noqa: S404 (only `git rev-parse HEAD`, no user input)
import tomllib
from collections import defaultdict
from datetime import timedelta
from functools import lru_cache

from django.conf import settings
from django.db.models import Count, Exists, OuterRef, Q, Sum
from django.db.models.functions import TruncMonth
from django.shortcuts import get_object_or_404

from audit.models import AuditEvent
from cases.models import Dossier, DossierSuspect
from cases.selectors import dossiers_visible_to
from evidence.models import (
    Acquisition,
    BatchListing,
    CustodyEvent,
    Detection,
    EvidenceFile,
    Exhibit,
    Face,
    IngestJob,
)
from evidence.search.keyword_selectors import last_runs_for_report
from hashing.models import HashListVersion

# The audit actions that record a generated report and its sha256; a printed copy verifies
# against these only (a verification is audited too, with the sha256 it was asked about).
REPORT_ACTIONS = ("report.dossier", "report.custody", "report.ingest")


@lru_cache(maxsize=1)
def software_version() -> dict:
    """The version in pyproject.toml, and the git commit of the running code when it is a checkout."""
    with open(settings.BASE_DIR / "pyproject.toml", "rb") as handle:
        version = tomllib.load(handle)["project"]["version"]
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=settings.BASE_DIR, capture_output=True, text=True, timeout=5, check=True
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        commit = ""
    return {"version": version, "commit": commit}


# In the reports' "new" column: not on any list (a near or possible match is not known until a
# reviewer says so).
NOT_ON_A_LIST = (
    EvidenceFile.Triage.NEAR,
    EvidenceFile.Triage.POSSIBLE,
    EvidenceFile.Triage.NEW_IMAGE,
    EvidenceFile.Triage.NEW_VIDEO,
    EvidenceFile.Triage.OTHER,
)


def ingest_summary(files, listings=None) -> dict[int, dict]:
    """Per exhibit id: files, bytes, known per category, known good, new, errors, pending; one query
    (two with ``listings``: the batch listings of the same scope, whose files are pending)."""
    summary: dict[int, dict] = defaultdict(
        lambda: (
            {"files": 0, "bytes": 0, "known": 0, "known_by_category": {}, "known_good": 0, "new": 0}
            | {"error": 0, "pending": 0}
        )
    )
    rows = (
        files.order_by()
        .values("exhibit_id", "triage", "match_category")
        .annotate(count=Count("id"), bytes=Sum("size"))
        .order_by("exhibit_id", "triage", "match_category")
    )
    for row in rows:
        entry = summary[row["exhibit_id"]]
        entry["files"] += row["count"]
        entry["bytes"] += row["bytes"] or 0
        entry[row["triage"]] = entry.get(row["triage"], 0) + row["count"]
        if row["triage"] in NOT_ON_A_LIST:
            entry["new"] += row["count"]
        if row["triage"] == EvidenceFile.Triage.KNOWN:
            category = row["match_category"] or "—"
            entry["known_by_category"][category] = entry["known_by_category"].get(category, 0) + row["count"]
    if listings is not None:
        listed = listings.order_by().values_list("exhibit_id").annotate(Sum("files"), Sum("bytes"))
        for exhibit_id, count, size in listed:
            entry = summary[exhibit_id]
            entry["files"] += count
            entry["bytes"] += size
            entry["pending"] += count
    return summary


def acquisitions_with_verification(exhibits):
    """Acquisitions of ``exhibits``, each with ``verified``: an ingested file of its exhibit has the same hash.

    A raw image ingested whole hashes to its acquisition hash; an E01's stored media hash is not
    the container file's, so "not verified" means only that Scellé holds no file with that hash.
    """
    same_hash = EvidenceFile.objects.filter(exhibit=OuterRef("exhibit")).filter(
        Q(sha256=OuterRef("sha256")) | Q(md5=OuterRef("md5"))
    )
    return (
        Acquisition.objects.filter(exhibit__in=exhibits)
        .annotate(verified=Exists(same_hash))
        .order_by("exhibit_id", "started_at", "id")
    )


def hash_list_versions_for_report(dossier: Dossier) -> list[dict]:
    """Every hash-list version active now, with how many of the dossier's files matched its list."""
    matched = dict(
        EvidenceFile.objects.filter(exhibit__dossier=dossier, match_list__isnull=False)
        .order_by()
        .values_list("match_list_id")
        .annotate(n=Count("id"))
    )
    versions = HashListVersion.objects.filter(is_active=True).select_related("hash_list").order_by("hash_list__name")
    return [{"version": version, "matched": matched.get(version.hash_list_id, 0)} for version in versions]


def detectors_for_report(dossier: Dossier) -> list[dict]:
    """Each detection model that looked at the dossier's images (name, version, SHA-256 of its weights),
    with how many images it looked at and how many it scored as likely sexual content."""
    rows = (
        Detection.objects.filter(file__exhibit__dossier=dossier)
        .order_by()
        .values("detector__name", "detector__version", "detector__sha256")
        .annotate(images=Count("id"), likely=Count("id", filter=Q(score__gte=settings.DETECTOR_LIKELY_SCORE)))
        .order_by("detector__name", "detector__version")
    )
    found = [
        {
            "name": row["detector__name"],
            "version": row["detector__version"],
            "sha256": row["detector__sha256"],
            "images": row["images"],
            "likely": row["likely"],
        }
        for row in rows
    ]
    # The face model keeps rows only for the faces it described: images with a face, no score.
    faces = (
        Face.objects.filter(file__exhibit__dossier=dossier)
        .order_by()
        .values("detector__name", "detector__version", "detector__sha256")
        .annotate(images=Count("file", distinct=True), faces=Count("id"))
        .order_by("detector__name", "detector__version")
    )
    for row in faces:
        found.append(
            {
                "name": row["detector__name"],
                "version": row["detector__version"],
                "sha256": row["detector__sha256"],
                "images": row["images"],
                "likely": None,
                "faces": row["faces"],
            }
        )
    return found


def dossier_report_data(dossier: Dossier) -> dict:
    """Everything the court report prints. Prosecutors read it: totals only, no file name, no image."""
    exhibits = list(
        Exhibit.objects.filter(dossier=dossier)
        .select_related("search", "seized_from__person", "parent")
        .order_by("seal_number", "id")
    )
    custody = defaultdict(list)
    for event in CustodyEvent.objects.filter(exhibit__dossier=dossier).select_related("recorded_by"):
        custody[event.exhibit_id].append(event)
    acquisitions = defaultdict(list)
    for acquisition in acquisitions_with_verification(exhibits):
        acquisitions[acquisition.exhibit_id].append(acquisition)
    summary = ingest_summary(
        EvidenceFile.objects.filter(exhibit__dossier=dossier), BatchListing.objects.filter(exhibit__dossier=dossier)
    )
    jobs = dict(
        IngestJob.objects.filter(exhibit__dossier=dossier).order_by().values_list("exhibit_id").annotate(n=Count("id"))
    )
    rows = [
        {
            "exhibit": exhibit,
            "custody": custody.get(exhibit.pk, []),
            "acquisitions": acquisitions.get(exhibit.pk, []),
            "ingest": summary.get(exhibit.pk),
            "jobs": jobs.get(exhibit.pk, 0),
        }
        for exhibit in exhibits
    ]
    totals = {"files": 0, "bytes": 0, "known": 0, "known_good": 0, "new": 0, "error": 0, "pending": 0}
    for entry in summary.values():
        for key in totals:
            totals[key] += entry.get(key, 0)
    return {
        "dossier": dossier,
        "status_changes": dossier.status_changes.select_related("by").order_by("at", "id"),
        "searches": dossier.searches.order_by("started_at", "id"),
        "exhibits": rows,
        "totals": totals,
        "suspects": DossierSuspect.objects.filter(dossier=dossier)
        .select_related("person")
        .order_by("person__full_name"),
        "hash_lists": hash_list_versions_for_report(dossier),
        "detectors": detectors_for_report(dossier),
        "keyword_lists": last_runs_for_report(dossier),
        "software": software_version(),
    }


def ingest_report_data(job: IngestJob) -> dict:
    files = EvidenceFile.objects.filter(job=job)
    summary = ingest_summary(files, BatchListing.objects.filter(batch__job=job)).get(job.exhibit_id)
    return {
        "job": job,
        "exhibit": job.exhibit,
        "dossier": job.exhibit.dossier,
        "ingest": summary,
        "deleted": files.filter(is_deleted=True).count(),
        "software": software_version(),
    }


def reports_of_dossier(dossier: Dossier):
    """The reports generated from this dossier (and its exhibits and jobs), newest first, from the audit log."""
    return AuditEvent.objects.filter(dossier=dossier, action__in=REPORT_ACTIONS).order_by("-at", "-id")


def report_matching(dossier: Dossier, sha256_hex: str) -> AuditEvent | None:
    """The audit event of the report generated from ``dossier`` whose sha256 is ``sha256_hex``, if any."""
    return reports_of_dossier(dossier).filter(detail__sha256=sha256_hex.lower()).first()


def ingest_job_report_for(user, pk: int) -> IngestJob:
    """An ingest job of a dossier ``user`` is a member of (any role), else 404."""
    return get_object_or_404(
        IngestJob.objects.select_related("exhibit__dossier", "created_by").filter(
            exhibit__dossier__in=dossiers_visible_to(user)
        ),
        pk=pk,
    )


def statistics_for(user) -> dict:
    """The statistics page's figures over the dossiers ``user`` can see: three grouped queries."""
    dossiers = dossiers_visible_to(user)
    by_month_status = (
        dossiers.order_by()
        .annotate(month=TruncMonth("opened_on"))
        .values("month", "status")
        .annotate(n=Count("id", distinct=True))
        .order_by("month", "status")
    )
    files = EvidenceFile.objects.filter(exhibit__dossier__in=dossiers, processed_at__isnull=False)
    by_month_triage = (
        files.order_by()
        .annotate(month=TruncMonth("processed_at"))
        .values("month", "triage")
        .annotate(n=Count("id"))
        .order_by("month", "triage")
    )
    totals = dict(
        EvidenceFile.objects.filter(exhibit__dossier__in=dossiers)
        .order_by()
        .values_list("triage")
        .annotate(n=Count("id"))
    )
    return {
        "dossiers_by_month": _pivot(by_month_status, "status", Dossier.Status.values),
        "files_by_month": _pivot(by_month_triage, "triage", EvidenceFile.Triage.values),
        "triage_totals": [(state, label, totals.get(state, 0)) for state, label in EvidenceFile.Triage.choices],
        "dossiers_count": dossiers.count(),
    }


def _pivot(rows, key: str, keys) -> list[dict]:
    """[{"month": date, "counts": {key: n, ...}, "total": n}] for every month from the first to the last."""
    by_month: dict = defaultdict(dict)
    for row in rows:
        month = row["month"].date() if hasattr(row["month"], "date") else row["month"]
        by_month[month][row[key]] = row["n"]
    if not by_month:
        return []
    months = sorted(by_month)
    result, month = [], months[0].replace(day=1)
    while month <= months[-1]:
        counts = {value: by_month.get(month, {}).get(value, 0) for value in keys}
        result.append({"month": month, "counts": counts, "total": sum(counts.values())})
        month = (month + timedelta(days=32)).replace(day=1)
    return result
