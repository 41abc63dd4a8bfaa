"""Veiled media: a file's thumbnail shown blurred until revealed, every view audited."""

from django.conf import settings
from django.http import Http404

from accounts.welfare import REVEAL, blur_radius_for
from audit.services import audit_record
from config.store import derived_exists, read_derived, store_derived
from evidence.models import EvidenceFile, Face
from hashing.perceptual import veiled


def media_thumbnail_view(*, evidence_file: EvidenceFile, reveal: bool, by, ip: str | None = None) -> str:
    """The stored thumbnail ``by`` is shown (a path under DERIVED_ROOT), and its audit event.

    Veiled (greyscale, blurred at ``by``'s chosen strength) unless ``reveal``; every view is audited,
    a reveal as ``media.reveal``, from which the reviewer's exposure is counted (accounts.welfare).
    The caller has checked that ``by`` may see the file (``evidence_file_for``).
    """
    relative = thumbnail_derived(evidence_file, reveal=reveal, blur_radius=blur_radius_for(by))
    audit_record(actor=by, action=REVEAL if reveal else "media.thumbnail", target=evidence_file, ip=ip)
    return relative


def media_face_view(*, face: Face, reveal: bool, by, ip: str | None = None) -> str:
    """A face's crop, as ``media_thumbnail_view`` serves a thumbnail: veiled unless ``reveal``, every
    view audited on the face's file (a reveal as ``media.reveal``: counted in the reviewer's exposure).
    The caller has checked that ``by`` may see the face (``evidence.faces.face_for``)."""
    relative = veiled_derived(face.crop, reveal=reveal, blur_radius=blur_radius_for(by))
    audit_record(actor=by, action=REVEAL if reveal else "media.thumbnail", target=face.file, ip=ip, face=face.pk)
    return relative


def thumbnail_bytes(evidence_file: EvidenceFile, *, reveal: bool, blur_radius: float | None = None) -> bytes:
    """The stored thumbnail, veiled (greyscale, blurred) unless revealed; 404 if there is none.

    ``blur_radius`` is the reviewer's own choice (accounts.welfare); THUMBNAIL_BLUR_RADIUS without one.
    """
    return derived_bytes(evidence_file.thumbnail, reveal=reveal, blur_radius=blur_radius)


def derived_bytes(relative: str, *, reveal: bool, blur_radius: float | None = None) -> bytes:
    """A derived image (a thumbnail, a face's crop), veiled unless revealed; 404 if there is none."""
    if not relative:
        raise Http404
    try:
        content = read_derived(relative)
    except FileNotFoundError as missing:  # a derived store restored without it: no 500
        raise Http404 from missing
    return content if reveal else veiled(content, _radius(blur_radius))


def _radius(blur_radius: float | None) -> float:
    # Never so light that a veiled thumbnail is as good as revealed.
    return max(2.0, blur_radius if blur_radius is not None else settings.THUMBNAIL_BLUR_RADIUS)


def thumbnail_derived(evidence_file: EvidenceFile, *, reveal: bool, blur_radius: float | None = None) -> str:
    """The thumbnail as a file of the derived store: as made, or its veiled copy (made once per blur
    radius, kept beside it); 404 if there is none. For serving through nginx (X-Accel-Redirect)."""
    return veiled_derived(evidence_file.thumbnail, reveal=reveal, blur_radius=blur_radius)


def veiled_derived(relative: str, *, reveal: bool, blur_radius: float | None = None) -> str:
    """A derived image as a file of the derived store: as made, or its veiled copy (made once per blur
    radius, kept beside it); 404 if there is none."""
    if not relative:
        raise Http404
    if reveal:
        return relative
    kind, name = relative.split("/", 1)[0], relative.rsplit("/", 1)[1]
    radius = _radius(blur_radius)
    veiled_kind = f"veiled-{radius:g}/{kind}"  # a new radius, new copies
    veiled_relative = f"{veiled_kind}/{name[:2]}/{name}"
    if not derived_exists(veiled_relative):
        store_derived(
            settings.DERIVED_ROOT, veiled_kind, name, derived_bytes(relative, reveal=False, blur_radius=radius)
        )
    return veiled_relative
