from django.conf import settings
from django.db import transaction
from django.utils import timezone

from audit.services import audit_record
from evidence.store import store_stream
from hashing.listformats import detect_format, guess_mapping, open_list, read_header
from hashing.models import CategoryScheme, HashList, HashListVersion


@transaction.atomic
def hash_list_version_create(
    *,
    name: str,
    kind: str,
    stream,
    file_name: str,
    by,
    label: str = "",
    source: str = "",
    default_category: str = "",
    scheme: CategoryScheme | None = None,
    queue: bool = True,
    draft: bool = False,
    adds_to_active: bool = False,
    ip: str | None = None,
) -> HashListVersion:
    """Store a list file and create the version that will import it, its format detected from the content.

    With ``draft``, the version waits for ``hash_list_version_start`` (the page shows a preview
    first). With ``queue``, the import runs on a Celery worker once this transaction commits;
    otherwise the caller runs ``hash_list_version_import`` itself (the command line does). With
    ``adds_to_active``, the import adds the file's entries to the version active at that moment.
    """
    blob = store_stream(stream, settings.HASHLIST_ROOT)
    with open(blob.path, "rb") as stored:
        head = open_list(stored).read(4096)
    file_format = detect_format(head)
    hash_list, created = HashList.objects.get_or_create(
        name=name,
        defaults={"kind": kind, "created_by": by, "default_category": default_category, "scheme": scheme},
    )
    if created:
        audit_record(actor=by, action="hashlist.create", target=hash_list, ip=ip, kind=kind)
    version = HashListVersion.objects.create(
        hash_list=hash_list,
        label=label or timezone.localtime().strftime("%Y-%m-%d %H:%M:%S"),
        source=source,
        status=HashListVersion.Status.DRAFT if draft else HashListVersion.Status.QUEUED,
        file_format=file_format,
        adds_to_active=adds_to_active,
        file_name=file_name[:255],
        file_sha256=blob.sha256,
        file_size=blob.size,
        stored_path=str(blob.path),
        column_mapping=_mapping_for(hash_list, head) if file_format == "csv" else {},
        imported_by=by,
    )
    audit_record(
        actor=by, action="hashlist.import", target=version, ip=ip, file_name=file_name, sha256=blob.sha256.hex()
    )
    if queue and not draft:
        _queue_import(version)
    return version


def _mapping_for(hash_list: HashList, head: bytes) -> dict[str, str]:
    """The list's saved column mapping if the file still has those columns, else one guessed from the header."""
    _, columns = read_header(head.split(b"\n", 1)[0])
    saved = hash_list.column_mapping or {}
    if saved and all(column in columns for column in saved.values()):
        return saved
    return guess_mapping(columns)


def _queue_import(version: HashListVersion) -> None:
    from hashing.tasks import hash_list_import

    transaction.on_commit(lambda: hash_list_import.delay(version.pk))


@transaction.atomic
def hash_list_version_start(
    *, version: HashListVersion, by, mapping: dict[str, str] | None = None, ip: str | None = None
) -> HashListVersion:
    """Confirm a draft version after its preview: save the CSV mapping (for the list too) and queue the import."""
    version = HashListVersion.objects.select_for_update().get(pk=version.pk)
    if version.status != HashListVersion.Status.DRAFT:
        return version
    if mapping is not None:
        version.column_mapping = mapping
        HashList.objects.filter(pk=version.hash_list_id).update(column_mapping=mapping)
    version.status = HashListVersion.Status.QUEUED
    version.save(update_fields=["column_mapping", "status"])
    audit_record(actor=by, action="hashlist.import_start", target=version, ip=ip, mapping=version.column_mapping)
    _queue_import(version)
    return version


@transaction.atomic
def hash_list_version_cancel(*, version: HashListVersion, by, ip: str | None = None) -> None:
    """Ask the worker to stop at its next chunk; a draft or queued version is cancelled at once."""
    version = HashListVersion.objects.select_for_update().get(pk=version.pk)
    if version.is_finished:
        return
    version.cancel_requested = True
    fields = ["cancel_requested"]
    if version.status in (HashListVersion.Status.DRAFT, HashListVersion.Status.QUEUED):
        version.status = HashListVersion.Status.CANCELLED
        version.finished_at = timezone.now()
        fields += ["status", "finished_at"]
    version.save(update_fields=fields)
    audit_record(actor=by, action="hashlist.cancel", target=version, ip=ip)


@transaction.atomic
def hash_list_version_activate(
    *, version: HashListVersion, by=None, ip: str | None = None, rematch: bool = True
) -> HashListVersion | None:
    """Make ``version`` the one active version of its list, in one transaction; return the one it replaced.

    Precondition: the version is ready. Once committed, every ingested file whose match may have
    changed is matched again in the background (only the hashes that differ are looked at).
    """
    if version.status != HashListVersion.Status.READY:
        raise ValueError("only a ready version can be activated")
    HashList.objects.select_for_update().get(pk=version.hash_list_id)  # one activation of a list at a time
    previous = version.hash_list.versions.filter(is_active=True).exclude(pk=version.pk).first()
    if previous is None and version.is_active:
        return None
    HashListVersion.objects.filter(hash_list=version.hash_list, is_active=True).exclude(pk=version.pk).update(
        is_active=False
    )
    version.is_active = True
    version.activated_at = timezone.now()
    version.save(update_fields=["is_active", "activated_at"])
    audit_record(
        actor=by, action="hashlist.activate", target=version, ip=ip, replaced=previous.pk if previous else None
    )
    if rematch:
        from hashing.tasks import hash_list_rematch

        previous_id = previous.pk if previous else None
        transaction.on_commit(lambda: hash_list_rematch.delay(version.pk, previous_id))
    return previous


def hash_list_imports_resume(*, by=None, queued_before=None) -> int:
    """Queue again the imports that are queued or importing with no worker on them (their message
    was lost with the broker, or their worker died); return how many. A copy of an import that is
    still queued finds it claimed or done and does nothing (hashing.importers). ``queued_before``:
    an import still queued that was created after it is left alone (its message may be on its way)."""
    from config.claims import is_claimed
    from hashing.tasks import hash_list_import

    waiting = HashListVersion.objects.filter(
        status__in=[HashListVersion.Status.QUEUED, HashListVersion.Status.IMPORTING]
    )
    if queued_before is not None:
        waiting = waiting.exclude(status=HashListVersion.Status.QUEUED, created_at__gt=queued_before)
    resumed = [pk for pk in waiting.values_list("pk", flat=True) if not is_claimed("hash_list_import", pk)]
    for version_id in resumed:
        hash_list_import.delay(version_id)
    if resumed:
        audit_record(actor=by, action="hashlist.resume", versions=resumed)
    return len(resumed)
