"""Rendering the court reports: every generation is audited with the sha256 of what was handed out."""

import hashlib
from dataclasses import dataclass
from datetime import UTC

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone

from audit.selectors import audit_chain_head
from audit.services import audit_record
from hashing.hashers import digest_chunks
from reports.pdf import html_to_pdf
from reports.selectors import report_matching


@dataclass(frozen=True)
class RenderedReport:
    content: bytes
    sha256: str
    content_type: str
    file_name: str
    context: dict


def report_context(*, by, generated_at=None) -> dict:
    """What every report prints about its own making: when (UTC), by whom, in which time zone the rest
    reads, and the audit chain's head then: a copy outside the database that `audit_verify
    --expect-head` checks, so that a court file holds proof of the log up to that event."""
    generated_at = generated_at or timezone.now()
    return {
        "generated_at_utc": generated_at.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC"),
        "generated_by": by,
        "time_zone": settings.TIME_ZONE,
        "audit_head": audit_chain_head(),
    }


def report_generate(
    *, template: str, context: dict, action: str, target, by, ip: str | None, pdf: bool, file_stem: str
) -> RenderedReport:
    """Render ``template`` as HTML or PDF and append its sha256 to the audit log.

    Raises reports.pdf.PdfUnavailable when the PDF libraries are missing (nothing is audited then).
    """
    context = context | report_context(by=by) | {"pdf": pdf}
    html = render_to_string(template, context)
    content = html_to_pdf(html) if pdf else html.encode()
    sha256 = hashlib.sha256(content).hexdigest()
    fmt = "pdf" if pdf else "html"
    audit_record(actor=by, action=action, target=target, ip=ip, sha256=sha256, format=fmt, size=len(content))
    return RenderedReport(
        content=content,
        sha256=sha256,
        content_type="application/pdf" if pdf else "text/html; charset=utf-8",
        file_name=f"{file_stem}.{fmt}",
        context=context,
    )


def report_verify(*, dossier, copy=None, sha256: str = "", by, ip: str | None):
    """Whether a copy (an uploaded file, or its sha256 in hex) is a report generated from ``dossier``; audited.

    ``copy`` is any object with Django's ``chunks()``: it is hashed block by block, never held whole
    in memory (its size is capped by the form, REPORT_VERIFY_MAX_BYTES).
    Returns (sha256 in hex, the audit event of its generation or None).
    """
    if copy is not None:
        sha256 = digest_chunks(copy.chunks(), ("sha256",))[0]["sha256"].hex()
    else:
        sha256 = sha256.strip().lower()
    generated = report_matching(dossier, sha256)
    audit_record(
        actor=by,
        action="report.verify",
        target=dossier,
        ip=ip,
        sha256=sha256,
        matched=generated.pk if generated else None,
    )
    return sha256, generated
