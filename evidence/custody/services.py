"""Custody: events of the chain of custody, acquisitions, and the verification of a disk image's media."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import audit_record
from config.messages import english, message, reason_of
from evidence.custody import rules as custody
from evidence.custody import verification
from evidence.custody.exhibits import seal_number_check
from evidence.custody.selectors import image_comparisons
from evidence.ingest import disk_images, sources
from evidence.models import Acquisition, CustodyEvent, EvidenceFile, Exhibit, ImageVerification


def _custody_message(code: str) -> str:
    messages = {
        "unknown": _("This is not a custody event."),
        "first_not_sealed": _("The first event of a chain of custody is the sealing."),
        "already_sealed": _("This exhibit is already sealed; record a resealing after opening it."),
        "after_final": _("Nothing can happen to an exhibit after it was returned or destroyed."),
        "not_checked_out": _("This exhibit cannot be checked in: it is not checked out."),
        "already_checked_out": _("This exhibit is already checked out; check it in first."),
        "already_open": _("This exhibit is already open; reseal it first."),
        "not_open": _("This exhibit cannot be resealed: it was not opened."),
        "open_at_end": _("Reseal this exhibit before it is returned or destroyed."),
    }
    return messages.get(code, custody.MESSAGES.get(code, code))


@transaction.atomic
def custody_event_record(*, exhibit: Exhibit, kind: str, at, by, ip: str | None = None, **fields) -> CustodyEvent:
    """Append one event to the exhibit's chain of custody, if the sequence allows it (evidence.custody).

    The exhibit row is locked so that two hand-overs recorded at once cannot both pass the check.
    Raises ValidationError with a readable message.
    """
    exhibit = Exhibit.objects.select_for_update().get(pk=exhibit.pk)
    previous = list(exhibit.custody_events.order_by("at", "id").values_list("kind", "at"))
    code = custody.custody_error([kind for kind, _at in previous], kind)
    if code:
        raise ValidationError(_custody_message(code))
    if previous and at < previous[-1][1]:
        raise ValidationError(_("A custody event cannot be earlier than the previous one."))
    reseals = kind in (CustodyEvent.Kind.SEALED, CustodyEvent.Kind.RESEALED) and fields.get("seal_after")
    if reseals:
        seal_number_check(dossier=exhibit.dossier, seal_number=fields["seal_after"], exhibit=exhibit)
    event = CustodyEvent.objects.create(exhibit=exhibit, kind=kind, at=at, recorded_by=by, **fields)
    if reseals:
        exhibit.seal_number = fields["seal_after"]
        exhibit.save(update_fields=["seal_number"])
    if fields.get("to_location"):
        exhibit.storage_location = fields["to_location"]
        exhibit.save(update_fields=["storage_location"])
    # The whole entry, not only its kind: the audit chain then vouches for every field of the ledger.
    audit_record(actor=by, action="custody.record", target=event, ip=ip, **event.ledger_entry)
    return event


@transaction.atomic
def acquisition_record(
    *,
    exhibit: Exhibit,
    examiner: str,
    tool: str,
    tool_version: str,
    image_format: str,
    started_at,
    by,
    write_blocker: str = "",
    ended_at=None,
    md5: bytes | None = None,
    sha1: bytes | None = None,
    sha256: bytes | None = None,
    ip: str | None = None,
) -> Acquisition:
    """Record a forensic image of the exhibit; hashes are the bytes the examiner's tool reported."""
    for value, size in ((md5, 16), (sha1, 20), (sha256, 32)):
        if value is not None and len(value) != size:
            raise ValidationError(_("An acquisition hash has the wrong length."))
    acquisition = Acquisition.objects.create(
        exhibit=exhibit,
        examiner=examiner,
        tool=tool,
        tool_version=tool_version,
        write_blocker=write_blocker,
        image_format=image_format,
        started_at=started_at,
        ended_at=ended_at,
        md5=md5,
        sha1=sha1,
        sha256=sha256,
        recorded_by=by,
    )
    audit_record(
        actor=by,
        action="acquisition.record",
        target=acquisition,
        ip=ip,
        sha256=acquisition.sha256_hex,
        md5=acquisition.md5_hex,
    )
    # Images of this exhibit already read: the new hashes are checked against them at once.
    for image in exhibit.image_verifications.select_related("file"):
        _verification_audit(image, actor=by, ip=ip)
    return acquisition


def _verification_audit(image: ImageVerification, *, actor=None, ip: str | None = None) -> str:
    result, rows = image_comparisons(image)
    if result != image.result:
        image.result = result
        image.save(update_fields=["result"])
    audit_record(
        actor=actor,
        action="acquisition.verify",
        target=image,
        ip=ip,
        result=result,
        image=image.file.path[:500],
        media_size=image.media_size,
        computed=image.computed,
        comparisons=[
            {"source": row.source, "algorithm": row.algorithm, "expected": row.expected, "result": row.result}
            for row in rows
        ],
        # The code and its parameters, and the English words for reading.
        error=english(image.error),
        error_message=image.error,
    )
    return result


def image_verify(*, evidence_file: EvidenceFile, should_stop=lambda: False) -> ImageVerification | None:
    """Read the disk image's media once, hash it, and check it against every hash claimed for it.

    The result (match, mismatch, nothing to compare with, or not readable to its end) is kept
    for the exhibit page and written to the audit log. Returns None if ``should_stop()`` said so.
    """
    path = sources.real_path(evidence_file.source_path)
    try:
        with open(path, "rb") as stream:
            image_format = disk_images.image_kind(stream.read(disk_images.HEAD_BYTES)) or "raw"
        media = disk_images.read_media(path, should_stop)
    except disk_images.IMAGE_ERRORS as error:
        media = disk_images.MediaRead(size=0, error=message("disk.cannot_open", reason=reason_of(error)))
    if media is None:
        return None
    digests = {name: bytes.fromhex(value) for name, value in (media.digests or {}).items()}
    with transaction.atomic():
        image, _created = ImageVerification.objects.update_or_create(
            file=evidence_file,
            defaults={
                "exhibit_id": evidence_file.exhibit_id,
                "image_format": image_format,
                "media_size": media.size,
                "bytes_read": media.read,
                "md5": digests.get("md5"),
                "sha1": digests.get("sha1"),
                "sha256": digests.get("sha256"),
                "stored_hashes": media.stored or {},
                "error": media.error,
                "result": verification.ERROR if media.error else verification.NOT_AVAILABLE,
                "verified_at": timezone.now(),
            },
        )
        _verification_audit(image)
        stored = verification.compare(image.computed, [("image", image.stored_hashes)])
        findings = []
        if any(row.result == verification.MISMATCH for row in stored):
            findings.append(message("disk.media_mismatch"))
        if media.error:
            findings.append(message("disk.media_unreadable", reason=media.error))
        new = [finding for finding in findings if finding not in evidence_file.findings]
        if new:
            evidence_file.findings = [*evidence_file.findings, *new]
            evidence_file.save(update_fields=["findings"])
    return image
