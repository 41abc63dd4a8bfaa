import re

from django.db import DatabaseError, connection, transaction
from django.db.models import BigIntegerField, Count, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404
from django.utils import timezone

from cases.selectors import check_dossier_role, dossiers_visible_to
from config.messages import Message, code_of, message, render
from config.workers import queues_without_worker, task_queues
from evidence.models import (
    BatchListing,
    ChunkedUpload,
    EvidenceFile,
    Exhibit,
    ImageVerification,
    IngestBatch,
    IngestJob,
    TriageCount,
)
from hashing.hashers import algorithm_for_hex

HEX = re.compile(r"^[0-9a-fA-F]+$")


def exhibit_for(user, pk: int, *, write: bool = False, files: bool = False) -> Exhibit:
    """The exhibit if ``user`` is a member of its dossier (else 404); see ``dossier_for``."""
    exhibit = get_object_or_404(
        Exhibit.objects.select_related("dossier").filter(dossier__in=dossiers_visible_to(user)), pk=pk
    )
    check_dossier_role(user, exhibit.dossier, write=write, files=files)
    return exhibit


def exhibits_with_counts(dossier):
    """The dossier's exhibits, each with its file count per triage state, in one query.

    On PostgreSQL the counts come from the trigger-kept TriageCount rows (a few per exhibit), not
    from counting the files: the page costs the same for ten files or ten million.
    """
    if not counts_are_kept():
        counts = {
            f"{state}_count": Count("files", filter=Q(files__triage=state)) for state in EvidenceFile.Triage.values
        }
        counts["new_count"] = Count("files", filter=Q(files__triage__in=EvidenceFile.NEW_STATES))
        listed = BatchListing.objects.filter(exhibit=OuterRef("pk")).order_by().values("exhibit")
        listed = Coalesce(Subquery(listed.annotate(n=Sum("files")).values("n")), 0)  # pending, not rows yet
        counts["pending_count"] = counts["pending_count"] + listed
        return dossier.exhibits.annotate(files_count=Count("files") + listed, **counts)

    def kept(*states: str):
        rows = TriageCount.objects.filter(exhibit=OuterRef("pk"))
        if states:
            rows = rows.filter(triage__in=states)
        total = rows.order_by().values("exhibit").annotate(n=Sum("files")).values("n")
        return Coalesce(Subquery(total, output_field=BigIntegerField()), 0)

    counts = {f"{state}_count": kept(state) for state in EvidenceFile.Triage.values}
    counts["new_count"] = kept(*EvidenceFile.NEW_STATES)  # the API's "new": images and videos together
    return dossier.exhibits.annotate(files_count=kept(), **counts)


def counts_are_kept() -> bool:
    """PostgreSQL keeps TriageCount by triggers (evidence migration 0007); SQLite counts files."""
    return connection.vendor == "postgresql"


# Past this many rows per exhibit and state, a reader folds them (TriageCount.objects.compact).
COMPACT_AFTER = 20


def exhibit_triage_totals(exhibit_ids) -> list[dict]:
    """Files and bytes per triage state over these exhibits, as ``triage_totals``, without counting files."""
    exhibit_ids = list(exhibit_ids)
    if not counts_are_kept():
        totals = triage_totals(EvidenceFile.objects.filter(exhibit_id__in=exhibit_ids))
        listed = BatchListing.objects.filter(exhibit_id__in=exhibit_ids).aggregate(n=Sum("files"), b=Sum("bytes"))
        for row in totals:  # a batch's listing: pending files, not rows yet (PostgreSQL's trigger counts them)
            if row["state"] == EvidenceFile.Triage.PENDING:
                row["count"] += listed["n"] or 0
                row["bytes"] += listed["b"] or 0
        return totals
    rows = list(
        TriageCount.objects.filter(exhibit_id__in=exhibit_ids)
        .values("triage")
        .annotate(count=Sum("files"), bytes=Sum("bytes"), pieces=Count("id"))
    )
    if rows and max(row["pieces"] for row in rows) > COMPACT_AFTER * len(exhibit_ids):
        try:
            with transaction.atomic():  # a savepoint inside a caller's transaction
                TriageCount.objects.compact(exhibit_ids)
        except DatabaseError:  # a worker folding the same rows now: the totals read above stand
            pass
    return _totals_by_state({row["triage"]: row for row in rows})


def ingest_job_for(user, pk: int) -> IngestJob:
    job = get_object_or_404(
        IngestJob.objects.select_related("exhibit__dossier").filter(exhibit__dossier__in=dossiers_visible_to(user)),
        pk=pk,
    )
    return job


def evidence_file_for(user, pk: int) -> EvidenceFile:
    """A file's page shows names and hashes: investigating members only."""
    evidence_file = get_object_or_404(
        EvidenceFile.objects.select_related("exhibit__dossier", "match_list", "job").filter(
            exhibit__dossier__in=dossiers_visible_to(user)
        ),
        pk=pk,
    )
    check_dossier_role(user, evidence_file.exhibit.dossier, write=False, files=True)
    return evidence_file


def triage_totals(files) -> list[dict]:
    """Files and bytes per triage state, every state listed (zero included), in one query."""
    rows = {row["triage"]: row for row in files.values("triage").annotate(count=Count("id"), bytes=Sum("size"))}
    return _totals_by_state(rows)


def _totals_by_state(rows: dict) -> list[dict]:
    return [
        {
            "state": state,
            "label": label,
            "count": rows.get(state, {}).get("count", 0),
            "bytes": rows.get(state, {}).get("bytes") or 0,
        }
        for state, label in EvidenceFile.Triage.choices
    ]


def files_search(files, *, query: str = "", triage: str = ""):
    """Filter by state, and by a path fragment or a full MD5/SHA-1/SHA-256 in hex."""
    if triage:
        files = files.filter(triage=triage)
    query = query.strip()
    if query:
        algorithm = algorithm_for_hex(query) if HEX.match(query) else None
        if algorithm:
            files = files.filter(Q(**{algorithm: bytes.fromhex(query)}) | Q(path__icontains=query))
        else:
            files = files.filter(path__icontains=query)
    return files.select_related("match_list")


def ingest_job_progress(job: IngestJob) -> dict:
    """Files and bytes done, rate and time left, from the job's batches (a handful of rows)."""
    totals = job.batches.aggregate(files=Sum("files_done"), bytes=Sum("bytes_done"), errors=Sum("errors"))
    files_done, bytes_done = totals["files"] or 0, totals["bytes"] or 0
    end = job.finished_at or timezone.now()
    elapsed = (end - job.started_at).total_seconds() if job.started_at else 0
    rate = bytes_done / elapsed if elapsed > 0 else 0
    files_rate = files_done / elapsed if elapsed > 0 else 0
    remaining = max(job.files_total - files_done, 0)
    percent = (
        100
        if job.status == IngestJob.Status.DONE
        else (int(100 * files_done / job.files_total) if job.files_total else 0)
    )
    return {
        "files_done": files_done,
        "bytes_done": bytes_done,
        "errors": totals["errors"] or 0,
        "percent": percent,
        "bytes_per_second": rate,
        "files_per_second": files_rate,
        "eta_seconds": int(remaining / files_rate) if files_rate and not job.is_finished else None,
        "batches_total": job.batches.count(),
        "batches_done": job.batches.filter(status=IngestBatch.Status.DONE).count(),
    }


# The tasks of an ingest job (evidence.tasks); their queues come from the routes (`ingest`, `media`).
INGEST_JOB_TASKS = (
    "evidence.tasks.ingest_enumerate",
    "evidence.tasks.ingest_batch",
    "evidence.tasks.ingest_media_batch",
)


def ingest_job_queues_without_worker(job: IngestJob) -> list[str] | None:
    """The queues this job's tasks go to that no live worker consumes, while it is queued or running.

    Empty when every one is consumed or the job has ended; None when the broker cannot tell (the
    embedded file-system broker). Asks the workers at most every few seconds (config.workers).
    """
    if job.is_finished:
        return []
    return queues_without_worker(task_queues(INGEST_JOB_TASKS))


def evidence_files_for_export(dossier):
    """One plain record per file of the dossier, streamed (hashes in lowercase hex).

    ``findings`` lists what was noticed on the file (a cut or encrypted archive, a hostile member
    name, the depth limit...) and, for a disk image whose media did not verify, why: without them
    such an archive exported as an ordinary "other" file. ``error`` and ``findings`` are text in the
    active language (a command: LANGUAGE_CODE), ``error_code`` and ``finding_codes`` their codes
    (config.messages; '' for an old row's sentence) for a program to read.
    """
    files = (
        EvidenceFile.objects.filter(exhibit__dossier=dossier)
        .select_related("exhibit", "match_list", "verification")
        .order_by("exhibit__seal_number", "path", "id")
    )
    for evidence_file in files.iterator(chunk_size=2000):
        findings = [*evidence_file.findings, *_verification_findings(evidence_file)]
        yield {
            "exhibit": evidence_file.exhibit.seal_number,
            "path": evidence_file.path,
            "size": evidence_file.size,
            "mime": evidence_file.mime,
            "md5": evidence_file.md5_hex,
            "sha1": evidence_file.sha1_hex,
            "sha256": evidence_file.sha256_hex,
            "triage": evidence_file.triage,
            "list": evidence_file.match_list.name if evidence_file.match_list else "",
            "category": evidence_file.match_category,
            "error": render(evidence_file.error),
            "findings": [render(finding) for finding in findings],
            "error_code": code_of(evidence_file.error),
            "finding_codes": [code_of(finding) for finding in findings],
        }


def _verification_findings(evidence_file: EvidenceFile) -> list[Message]:
    try:
        verification = evidence_file.verification
    except ImageVerification.DoesNotExist:
        return []
    if verification.result not in (ImageVerification.Result.ERROR, ImageVerification.Result.MISMATCH):
        return []
    mismatch = verification.result == ImageVerification.Result.MISMATCH
    code = "disk.verification_mismatch" if mismatch else "disk.verification_unreadable"
    if verification.error:
        return [message(f"{code}_because", reason=verification.error)]
    return [message(code)]


def pending_ingest_jobs(user):
    """The unfinished ingest jobs ``user`` started, in dossiers they still belong to."""
    return (
        IngestJob.objects.filter(created_by=user, exhibit__dossier__in=dossiers_visible_to(user))
        .exclude(status__in=IngestJob.FINISHED)
        .select_related("exhibit__dossier")
    )


def exhibits_of_dossier(dossier):
    """The exhibits tab: each exhibit with its search, suspect and file counts, in one query."""
    return (
        exhibits_with_counts(dossier)
        .select_related("search", "seized_from__person", "parent")
        .order_by("seal_number", "id")
    )


def chunked_upload_for(user, pk) -> ChunkedUpload:
    """One of ``user``'s own chunked uploads, into an exhibit they may still write to (else 404/403)."""
    upload = get_object_or_404(
        ChunkedUpload.objects.select_related("exhibit__dossier").filter(
            created_by=user, exhibit__dossier__in=dossiers_visible_to(user)
        ),
        pk=pk,
    )
    check_dossier_role(user, upload.exhibit.dossier, write=True)
    return upload
