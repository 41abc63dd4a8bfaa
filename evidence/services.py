import os
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from accounts.welfare import REVEAL, blur_radius_for
from audit.services import audit_record
from cases.models import Dossier, Search
from config.messages import english, message, reason_of
from config.store import FULL, StoreFull, store_file, store_upload
from config.work_locks import is_claimed
from evidence import bulk, custody, verification
from evidence.ingest import archive_passwords, disk_images, sources
from evidence.ingest.pipeline import ingest_job_refresh
from evidence.matching import match_files
from evidence.models import (
    EXHIBIT_FIELDS,
    Acquisition,
    BatchListing,
    ChunkedUpload,
    CustodyEvent,
    EvidenceFile,
    Exhibit,
    ImageVerification,
    IngestBatch,
    IngestJob,
    IngestSource,
)
from evidence.selectors import image_comparisons, thumbnail_derived

# Any field of EXHIBIT_FIELDS but the three every exhibit_register call names.
EXHIBIT_DETAILS = tuple(field for field in EXHIBIT_FIELDS if field not in ("kind", "seal_number", "description"))


def _check_same_dossier(dossier: Dossier, details: dict) -> None:
    for field in ("parent", "seized_from", "search"):
        related = details.get(field)
        if related is not None and related.dossier_id != dossier.pk:
            raise ValidationError(_("A parent exhibit, suspect or search must belong to the same dossier."))


def _seal_number_taken() -> str:
    return _("This dossier already has an exhibit with this seal number.")


def seal_number_check(*, dossier: Dossier, seal_number: str, exhibit: Exhibit | None = None) -> None:
    """The one rule for seal numbers: one exhibit per seal number within a dossier.

    ``exhibit`` is the exhibit being resealed (its own seal number does not count). Raises
    ValidationError. Every path (page, API, CSV, command, custody resealing) asks here; the
    database constraint ``exhibit_unique_seal`` then settles a race.
    """
    taken = Exhibit.objects.filter(dossier=dossier, seal_number=seal_number)
    if exhibit is not None:
        taken = taken.exclude(pk=exhibit.pk)
    if taken.exists():
        raise ValidationError(_seal_number_taken(), code="seal_number_taken")


@transaction.atomic
def exhibit_register(
    *, dossier: Dossier, kind: str, seal_number: str, description: str = "", by, ip: str | None = None, **details
) -> Exhibit:
    """Register a seized item. ``details``: any of EXHIBIT_DETAILS; parent, suspect and search of this dossier.

    Raises ValidationError (on ``seal_number``) if the dossier already has an exhibit with this seal
    number, also when another registration of the same seal wins a race.
    """
    unknown = set(details) - set(EXHIBIT_DETAILS)
    if unknown:
        raise TypeError(f"unknown exhibit fields: {sorted(unknown)}")
    _check_same_dossier(dossier, details)
    try:
        seal_number_check(dossier=dossier, seal_number=seal_number)
    except ValidationError as error:
        raise ValidationError({"seal_number": error}) from None
    details = {key: value for key, value in details.items() if value is not None}
    try:
        with transaction.atomic():
            exhibit = Exhibit.objects.create(
                dossier=dossier, kind=kind, seal_number=seal_number, description=description, created_by=by, **details
            )
    except IntegrityError:  # the same seal registered at the same moment
        raise ValidationError({"seal_number": _seal_number_taken()}) from None
    audit_record(actor=by, action="exhibit.register", target=exhibit, ip=ip)
    return exhibit


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


def _kind_spellings() -> dict[str, str]:
    spellings = {}
    for value, label in Exhibit.Kind.choices:
        spellings[value] = value
        spellings[str(label).lower()] = value
        spellings[value.replace("_", " ")] = value
    return spellings


def exhibits_bulk_preview(*, search: Search, text: str) -> tuple[list[dict], list[str]]:
    """Parse the CSV and check each row against the dossier; nothing is saved.

    Returns (rows, file_errors) as ``evidence.bulk.parse_exhibits_csv``, with the dossier's checks
    added to each row's errors (seal number already used, parent exhibit unknown).
    """
    rows, file_errors = bulk.parse_exhibits_csv(text, _kind_spellings())
    if file_errors:
        return rows, [_(error) for error in file_errors]
    existing = set(Exhibit.objects.filter(dossier=search.dossier_id).values_list("seal_number", flat=True))
    in_file = {row["values"]["seal_number"] for row in rows}
    for row in rows:
        values = row["values"]
        if values["seal_number"] in existing:
            row["errors"].append(_seal_number_taken())
        parent = values["parent_seal"]
        if parent and parent not in existing and parent not in in_file:
            row["errors"].append(
                _("Parent exhibit %(seal)s is neither in this dossier nor in the file.") % {"seal": parent}
            )
    return rows, []


@transaction.atomic
def exhibits_bulk_register(*, search: Search, text: str, by, ip: str | None = None) -> list[Exhibit]:
    """Register every row of the CSV as an exhibit seized during ``search``: all of them, or none.

    Raises ValidationError if any row (or the file) has an error; then nothing is saved.
    """
    rows, file_errors = exhibits_bulk_preview(search=search, text=text)
    errors = file_errors + [f"{row['line']}: {error}" for row in rows for error in row["errors"]]
    if errors:
        raise ValidationError(errors)
    dossier = search.dossier
    exhibits = Exhibit.objects.bulk_create(
        Exhibit(
            dossier=dossier,
            search=search,
            kind=row["values"]["kind"],
            seal_number=row["values"]["seal_number"],
            description=row["values"]["description"],
            make=row["values"]["make"],
            device_model=row["values"]["model"],
            serial_number=row["values"]["serial_number"],
            imei=row["values"]["imei"],
            iccid=row["values"]["iccid"],
            capacity_bytes=row["values"]["capacity_bytes"],
            storage_location=row["values"]["storage_location"],
            created_by=by,
        )
        for row in rows
    )
    by_seal = {exhibit.seal_number: exhibit for exhibit in dossier.exhibits.all()}
    children = []
    for row, exhibit in zip(rows, exhibits, strict=True):
        if row["values"]["parent_seal"]:
            exhibit.parent = by_seal[row["values"]["parent_seal"]]
            children.append(exhibit)
    Exhibit.objects.bulk_update(children, ["parent"])
    created = {exhibit.seal_number: exhibit for exhibit in exhibits}
    audit_record(
        actor=by,
        action="exhibit.bulk_register",
        target=search,
        ip=ip,
        count=len(created),
        seals=sorted(created)[:1000],
    )
    return exhibits


def ingest_job_create_from_uploads(
    *, exhibit: Exhibit, uploads, by, ip: str | None = None, archive_password: str = ""
) -> IngestJob:
    """Store uploaded files in the evidence store and queue a job that ingests them.

    An archive among them (recognised by content, not by name) is then walked member by member;
    ``archive_password`` opens its encrypted members (kept encrypted until the job ends). A full store
    raises StoreFull, audited, with no job and no partial copy left.
    """
    try:
        return _ingest_job_create_from_uploads(
            exhibit=exhibit, uploads=uploads, by=by, ip=ip, archive_password=archive_password
        )
    except StoreFull as error:
        store_full_record(by=by, ip=ip, target=exhibit, where="upload", error=error)
        raise


def store_full_record(*, by, ip, target, where: str, error: OSError, **detail) -> None:
    """Audit a refusal for want of space (its own transaction: it outlives the refusal's rollback)."""
    audit_record(actor=by, action="store.full", target=target, ip=ip, where=where, error=str(error), **detail)


@transaction.atomic
def _ingest_job_create_from_uploads(*, exhibit, uploads, by, ip, archive_password) -> IngestJob:
    stored = []
    for upload in uploads:
        blob = store_upload(upload)
        stored.append((blob, _upload_name(upload.name)))
    return _ingest_job_from_blobs(exhibit=exhibit, stored=stored, by=by, ip=ip, archive_password=archive_password)


def _upload_name(name: str) -> str:
    # The browser's file name is only a label: no path of it is ever used on the server.
    return (os.path.basename(name.replace("\\", "/")) or "unnamed")[:255]


def _ingest_job_from_blobs(*, exhibit, stored, by, ip, archive_password: str, **audit_detail) -> IngestJob:
    names = ", ".join(name for _blob, name in stored)
    job = IngestJob.objects.create(
        exhibit=exhibit,
        source_label=f"upload: {names}"[:500],
        created_by=by,
        archive_password=archive_passwords.encrypt(archive_password) if archive_password else None,
    )
    IngestSource.objects.bulk_create(
        IngestSource(job=job, kind=IngestSource.Kind.FILE, path=blob.source, display_name=name) for blob, name in stored
    )
    audit_record(
        actor=by,
        action="ingest.create",
        target=job,
        ip=ip,
        uploads=[{"name": name, "sha256": blob.sha256.hex(), "size": blob.size} for blob, name in stored],
        archive_password_given=bool(archive_password),
        **audit_detail,
    )
    _queue_enumeration(job)
    return job


STORE_FULL_MESSAGE = _lazy("The evidence store is full: nothing of this was kept. Try again once space has been freed.")


class UploadRefused(Exception):
    """A chunked upload or one of its chunks is refused; ``received`` tells the browser where to go on."""

    def __init__(self, message: str, *, received: int | None = None, status: int = 400):
        super().__init__(message)
        self.received, self.status = received, status


def chunked_upload_start(*, exhibit: Exhibit, name: str, size: int, by, ip: str | None = None) -> ChunkedUpload:
    """Open a chunked upload of ``size`` bytes, within the per-file and per-user limits.

    A refusal is audited (in its own transaction: it must outlive the refusal) and raised.
    """
    unfinished = ChunkedUpload.objects.filter(created_by=by, status=ChunkedUpload.Status.OPEN)
    pending = sum(unfinished.values_list("size", flat=True))
    reason = ""
    if size < 0:
        reason = _("A file cannot have a negative size.")
    elif size > settings.UPLOAD_FILE_MAX_BYTES:
        reason = _("This file is larger than the largest upload allowed (%(limit)s bytes).") % {
            "limit": f"{settings.UPLOAD_FILE_MAX_BYTES:,}"
        }
    elif pending + size > settings.UPLOAD_TOTAL_MAX_BYTES:
        reason = _("Your unfinished uploads would exceed %(limit)s bytes: finish or abandon them first.") % {
            "limit": f"{settings.UPLOAD_TOTAL_MAX_BYTES:,}"
        }
    if reason:
        audit_record(
            actor=by, action="upload.refused", target=exhibit, ip=ip, name=name[:255], size=size, reason=reason
        )
        raise UploadRefused(reason, status=413 if size > 0 else 400)
    with transaction.atomic():
        upload = ChunkedUpload.objects.create(exhibit=exhibit, name=_upload_name(name), size=size, created_by=by)
        settings.UPLOAD_TEMP_ROOT.mkdir(parents=True, exist_ok=True)
        upload.temporary_path.touch(mode=0o600)
        audit_record(actor=by, action="upload.start", target=upload, ip=ip, name=upload.name, size=size)
    return upload


def chunked_upload_append(*, upload: ChunkedUpload, offset: int, stream, length: int, ip: str | None = None) -> int:
    """Append one chunk of ``length`` bytes read from ``stream`` at ``offset``; return the new offset.

    Only the next chunk is taken: any other offset is refused with the offset received so far, so
    that a browser resuming after a dropped connection goes on from there. The file is cut back to
    what the database says was received first, so a chunk half-written by a crash is written again.
    A full upload folder refuses the chunk (507, audited) with the offset to go on from later.
    """
    try:
        return _chunked_upload_append(upload=upload, offset=offset, stream=stream, length=length)
    except UploadRefused as refusal:
        if refusal.status == 507:
            received = refusal.received
            store_full_record(
                by=upload.created_by, ip=ip, target=upload, where="upload chunk", error=refusal, received=received
            )
        raise


@transaction.atomic
def _chunked_upload_append(*, upload: ChunkedUpload, offset: int, stream, length: int) -> int:
    upload = ChunkedUpload.objects.select_for_update().get(pk=upload.pk)
    if upload.status != ChunkedUpload.Status.OPEN:
        raise UploadRefused(_("This upload is already finished."), received=upload.received, status=409)
    if offset != upload.received:
        raise UploadRefused(
            _("Chunk at byte %(offset)s, but %(received)s bytes were received: go on from there.")
            % {"offset": f"{offset:,}", "received": f"{upload.received:,}"},
            received=upload.received,
            status=409,
        )
    if length <= 0 or length > settings.UPLOAD_CHUNK_BYTES:
        raise UploadRefused(
            _("A chunk holds 1 to %(limit)s bytes.") % {"limit": f"{settings.UPLOAD_CHUNK_BYTES:,}"},
            received=upload.received,
        )
    if upload.received + length > upload.size:
        raise UploadRefused(_("This chunk goes past the size announced for the file."), received=upload.received)
    written = 0
    with upload.temporary_path.open("r+b") as out:
        out.truncate(upload.received)
        out.seek(upload.received)
        try:
            while written < length and (block := stream.read(min(1 << 20, length - written))):
                out.write(block)
                written += len(block)
            out.flush()
            os.fsync(out.fileno())
        except OSError as error:
            if error.errno not in FULL:
                raise
            out.truncate(upload.received)  # what the database says was received, and no more
            raise UploadRefused(STORE_FULL_MESSAGE, received=upload.received, status=507) from error
        if written != length:
            out.truncate(upload.received)
            raise UploadRefused(_("The chunk arrived incomplete: send it again."), received=upload.received)
    upload.received += written
    upload.save(update_fields=["received", "updated_at"])
    return upload.received


def chunked_uploads_abandon(*, idle_hours: float, by=None) -> int:
    """Abandon the unfinished uploads that received nothing for ``idle_hours``: their chunks are deleted.

    Returns how many were abandoned; each is audited with what it had received.
    """
    cutoff = timezone.now() - timezone.timedelta(hours=idle_hours)
    count = 0
    for upload in ChunkedUpload.objects.filter(status=ChunkedUpload.Status.OPEN, updated_at__lt=cutoff):
        with transaction.atomic():
            upload.status = ChunkedUpload.Status.ABANDONED
            upload.save(update_fields=["status", "updated_at"])
            upload.temporary_path.unlink(missing_ok=True)
            audit_record(
                actor=by,
                action="upload.abandon",
                target=upload,
                name=upload.name,
                size=upload.size,
                received=upload.received,
            )
        count += 1
    return count


def ingest_job_create_from_chunked(
    *, exhibit: Exhibit, uploads: list[ChunkedUpload], by, ip: str | None = None, archive_password: str = ""
) -> IngestJob:
    """Hash the complete chunked uploads here, move them into the evidence store, and ingest them as one job.

    A full store refuses them all (507, audited): each upload stays complete, to be finished again later.
    """
    try:
        return _ingest_job_create_from_chunked(
            exhibit=exhibit, uploads=uploads, by=by, ip=ip, archive_password=archive_password
        )
    except StoreFull as error:
        store_full_record(by=by, ip=ip, target=exhibit, where="upload finish", error=error)
        raise UploadRefused(STORE_FULL_MESSAGE, status=507) from error


@transaction.atomic
def _ingest_job_create_from_chunked(*, exhibit, uploads, by, ip, archive_password) -> IngestJob:
    unique = {upload.pk: upload for upload in uploads}  # an id listed twice is one file
    locked = [ChunkedUpload.objects.select_for_update().get(pk=pk) for pk in unique]
    # All are checked before any is moved: a refusal leaves every upload as it was, resumable.
    for upload in locked:
        if upload.status != ChunkedUpload.Status.OPEN or upload.exhibit_id != exhibit.pk:
            raise UploadRefused(_("This upload is already finished."), received=upload.received, status=409)
        if upload.received != upload.size:
            raise UploadRefused(
                _("%(name)s is incomplete: %(received)s of %(size)s bytes received.")
                % {"name": upload.name, "received": f"{upload.received:,}", "size": f"{upload.size:,}"},
                received=upload.received,
                status=409,
            )
    stored = []
    for upload in locked:
        blob = store_file(upload.temporary_path)
        upload.status, upload.sha256 = ChunkedUpload.Status.STORED, blob.sha256
        stored.append((upload, blob))
    job = _ingest_job_from_blobs(
        exhibit=exhibit,
        stored=[(blob, upload.name) for upload, blob in stored],
        by=by,
        ip=ip,
        archive_password=archive_password,
        chunked=True,
    )
    for upload, _blob in stored:
        upload.job = job
        upload.save(update_fields=["status", "sha256", "job", "updated_at"])
    # Only once the job is committed: until then a failure (a full store) leaves every upload whole.
    paths = [upload.temporary_path for upload in locked]
    transaction.on_commit(lambda: [path.unlink(missing_ok=True) for path in paths])
    return job


@transaction.atomic
def ingest_job_create_from_path(
    *, exhibit: Exhibit, path: Path, by, queue: bool = True, archive_password: str = "", ip: str | None = None
) -> IngestJob:
    """Queue a job that reads a folder or a file (an archive is walked) where it lies on the server.

    ``archive_password`` opens the encrypted archives found there (kept encrypted until the job ends).
    """
    path = path.resolve()
    if path.is_dir():
        kind = IngestSource.Kind.FOLDER
    elif path.is_file():
        kind = IngestSource.Kind.FILE
    else:
        raise FileNotFoundError(f"{path} is neither a file nor a folder.")
    job = IngestJob.objects.create(
        exhibit=exhibit,
        source_label=str(path)[:500],
        created_by=by,
        archive_password=archive_passwords.encrypt(archive_password) if archive_password else None,
    )
    IngestSource.objects.create(job=job, kind=kind, path=str(path), display_name=path.name)
    audit_record(
        actor=by,
        action="ingest.create",
        target=job,
        ip=ip,
        path=str(path),
        archive_password_given=bool(archive_password),
    )
    if queue:
        _queue_enumeration(job)
    return job


@transaction.atomic
def ingest_job_create_from_hashes(*, exhibit: Exhibit, files: list[dict], by, ip: str | None = None) -> IngestJob:
    """Record files hashed elsewhere (a forensic workstation that cannot upload the media).

    ``files``: dicts with ``path`` and ``size`` (bytes), and ``md5``, ``sha1``, ``sha256``, ``phash``,
    ``pdq`` as digests (bytes) where known. One finished job with one batch; every file is matched
    against the active lists at once, so each comes back with its triage.
    """
    now = timezone.now()
    size = sum(item["size"] for item in files)
    job = IngestJob.objects.create(
        exhibit=exhibit,
        source_label=f"hashes submitted: {len(files)} files",
        status=IngestJob.Status.DONE,
        files_total=len(files),
        bytes_total=size,
        created_by=by,
        started_at=now,
        finished_at=now,
    )
    batch = IngestBatch.objects.create(
        job=job,
        number=1,
        status=IngestBatch.Status.DONE,
        files_count=len(files),
        bytes_count=size,
        files_done=len(files),
        bytes_done=size,
        started_at=now,
        finished_at=now,
    )
    records = [
        EvidenceFile(
            exhibit=exhibit,
            job=job,
            batch=batch,
            path=item["path"],
            # Nothing of it is on this server: there is no source to read again.
            source_path="",
            size=item["size"],
            md5=item.get("md5"),
            sha1=item.get("sha1"),
            sha256=item.get("sha256"),
            phash=item.get("phash"),
            pdq=item.get("pdq"),
            error=message("file.empty") if item["size"] == 0 else "",
            processed_at=now,
        )
        for item in files
    ]
    match_files(records)
    records = EvidenceFile.objects.bulk_create(records)
    errors = sum(1 for record in records if record.error)
    IngestBatch.objects.filter(pk=batch.pk).update(errors=errors)
    audit_record(actor=by, action="ingest.hashes", target=job, ip=ip, files=len(records), bytes=size)
    return job


def ingest_path_refuse(*, exhibit: Exhibit, by, root, path: str, reason: str, ip: str | None = None) -> None:
    """Record an attempt to ingest from a path outside the evidence sources (a probe, or a mistake)."""
    audit_record(
        actor=by, action="ingest.refused_path", target=exhibit, ip=ip, root=str(root), path=path[:500], reason=reason
    )


def _queue_enumeration(job: IngestJob) -> None:
    from evidence.tasks import ingest_enumerate

    transaction.on_commit(lambda: ingest_enumerate.delay(job.pk))


@transaction.atomic
def ingest_job_cancel(*, job: IngestJob, by, ip: str | None = None) -> IngestJob:
    """Stop a job: batches not started are skipped, running ones stop at their next check.

    What was already hashed stays; files not reached stay pending: each batch with a listing is
    queued once more, and turns its listing into pending rows (``listing_to_rows``), even one whose
    message is gone (a process killed at the hard time limit is not given its batch again).
    """
    from evidence.tasks import queue_batches

    job = IngestJob.objects.select_for_update().get(pk=job.pk)
    if job.is_finished:
        return job
    job.status = IngestJob.Status.CANCELLED
    job.finished_at = timezone.now()
    job.archive_password = None
    job.save(update_fields=["status", "finished_at", "archive_password"])
    audit_record(actor=by, action="ingest.cancel", target=job, ip=ip)
    listed = list(BatchListing.objects.filter(batch__job=job).values_list("batch_id", flat=True))
    if listed:
        transaction.on_commit(lambda: queue_batches(listed))
    return job


def ingest_jobs_resume(*, by=None, queued_before=None) -> dict[str, int]:
    """Queue again the work of every unfinished job: its listing, or its batches not done.
    ``queued_before`` (a datetime): a job not yet listed and created after it is left alone, as
    its first message may still be on its way (evidence.resume, beat's round).

    For a broker that lost its messages (Redis restarted without persistence): nothing in the
    database says a message is missing, so everything unfinished is queued again. A copy of work
    that is in fact still queued or running does nothing: a batch is run by one worker at a time
    (config.work_locks) and a finished one is skipped; no file is hashed into two rows, since a batch
    writes its listed files' rows in the transaction that marks it done (or that drops its listing,
    evidence.models.BatchListing). Returns how many jobs and batches were queued.
    """
    from evidence.tasks import ingest_enumerate, queue_batches

    unfinished = (IngestJob.Status.QUEUED, IngestJob.Status.ENUMERATING, IngestJob.Status.RUNNING)
    jobs = batches = 0
    for job in IngestJob.objects.filter(status__in=unfinished).order_by("pk"):
        if job.status == IngestJob.Status.RUNNING:
            pending = (
                job.batches.exclude(status=IngestBatch.Status.DONE).order_by("number").values_list("pk", flat=True)
            )
            if not pending:
                # Its last batch finished, and its worker died before closing the job: close it now.
                ingest_job_refresh(job=job)
                continue
            pending = [pk for pk in pending if not is_claimed("ingest_batch", pk)]
            queue_batches(pending)  # each to its kind's task and queue: images and videos to `media`
            batches += len(pending)
            jobs += bool(pending)
        elif queued_before is not None and job.created_at > queued_before:
            continue
        elif not is_claimed("ingest_job", job.pk):
            ingest_enumerate.delay(job.pk)
            jobs += 1
    if jobs:
        audit_record(actor=by, action="ingest.resume", jobs=jobs, batches=batches)
    return {"jobs": jobs, "batches": batches}


def media_thumbnail_view(*, evidence_file: EvidenceFile, reveal: bool, by, ip: str | None = None) -> str:
    """The stored thumbnail ``by`` is shown (a path under DERIVED_ROOT), and its audit event.

    Veiled (greyscale, blurred at ``by``'s chosen strength) unless ``reveal``; every view is audited,
    a reveal as ``media.reveal``, from which the reviewer's exposure is counted (accounts.welfare).
    The caller has checked that ``by`` may see the file (``evidence_file_for``).
    """
    relative = thumbnail_derived(evidence_file, reveal=reveal, blur_radius=blur_radius_for(by))
    audit_record(actor=by, action=REVEAL if reveal else "media.thumbnail", target=evidence_file, ip=ip)
    return relative
