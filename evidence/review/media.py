"""Veiled media: a file's thumbnail shown blurred until revealed, every view audited."""

from accounts.welfare import REVEAL, blur_radius_for
from audit.services import audit_record
from evidence.models import EvidenceFile
from evidence.selectors import thumbnail_derived


def media_thumbnail_view(*, evidence_file: EvidenceFile, reveal: bool, by, ip: str | None = None) -> str:
    """The stored thumbnail ``by`` is shown (a path under DERIVED_ROOT), and its audit event.

    Veiled (greyscale, blurred at ``by``'s chosen strength) unless ``reveal``; every view is audited,
    a reveal as ``media.reveal``, from which the reviewer's exposure is counted (accounts.welfare).
    The caller has checked that ``by`` may see the file (``evidence_file_for``).
    """
    relative = thumbnail_derived(evidence_file, reveal=reveal, blur_radius=blur_radius_for(by))
    audit_record(actor=by, action=REVEAL if reveal else "media.thumbnail", target=evidence_file, ip=ip)
    return relative
