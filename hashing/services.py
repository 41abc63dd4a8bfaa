from collections.abc import Callable

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from audit.services import audit_record
from config.store import store_stream
from hashing.listformats import detect_format, guess_mapping, open_list, read_header
from hashing.models import CategoryScheme, HashList, HashListVersion

# What follows a version's activation, given by the caller: (the version, the one it replaced).
Activated = Callable[[HashListVersion, HashListVersion | None], None]


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
    draft: bool = False,
    adds_to_active: bool = False,
    ip: str | None = None,
) -> HashListVersion:
    """Store a list file and create the version that will import it, its format detected from the content.

    With ``draft``, the version waits for ``hash_list_version_start`` (the page shows a preview
    first). Otherwise the caller has it imported: on a worker (``evidence.triage.lists``, which also
    matches the files again once the version is active) or itself (``hash_list_version_import``, as
    the command line does). With ``adds_to_active``, the import adds the file's entries to the
    version active at that moment.
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
    return version


def _mapping_for(hash_list: HashList, head: bytes) -> dict[str, str]:
    """The list's saved column mapping if the file still has those columns, else one guessed from the header."""
    _, columns = read_header(head.split(b"\n", 1)[0])
    saved = hash_list.column_mapping or {}
    if saved and all(column in columns for column in saved.values()):
        return saved
    return guess_mapping(columns)


@transaction.atomic
def hash_list_version_map_columns(*, version: HashListVersion, mapping: dict[str, str]) -> HashListVersion:
    """Keep a draft's CSV column mapping for its preview; nothing is read yet, so nothing is audited.

    The mapping the import really uses is recorded by ``hash_list_version_start``. A version that is
    no longer a draft keeps the mapping it was imported with.
    """
    version = HashListVersion.objects.select_for_update().get(pk=version.pk)
    if version.status == HashListVersion.Status.DRAFT:
        version.column_mapping = mapping
        version.save(update_fields=["column_mapping"])
    return version


@transaction.atomic
def hash_list_version_start(
    *,
    version: HashListVersion,
    by,
    queue_import: Callable[[HashListVersion], None],
    mapping: dict[str, str] | None = None,
    ip: str | None = None,
) -> HashListVersion:
    """Confirm a draft version after its preview: save the CSV mapping (for the list too) and have it
    imported: ``queue_import(version)`` is called in this transaction (``evidence.triage.lists`` queues the
    import task on commit)."""
    version = HashListVersion.objects.select_for_update().get(pk=version.pk)
    if version.status != HashListVersion.Status.DRAFT:
        return version
    if mapping is not None:
        version.column_mapping = mapping
        HashList.objects.filter(pk=version.hash_list_id).update(column_mapping=mapping)
    version.status = HashListVersion.Status.QUEUED
    version.save(update_fields=["column_mapping", "status"])
    audit_record(actor=by, action="hashlist.import_start", target=version, ip=ip, mapping=version.column_mapping)
    queue_import(version)
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
    *,
    version: HashListVersion,
    by=None,
    ip: str | None = None,
    activated: Activated | None = None,
) -> HashListVersion | None:
    """Make ``version`` the one active version of its list, in one transaction; return the one it replaced.

    Precondition: the version is ready. ``activated(version, replaced)`` is called in this
    transaction once the version became active (not when it already was): ``evidence.triage.lists`` queues
    there, on commit, the matching again of every ingested file whose match may have changed.
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
    if activated is not None:
        activated(version, previous)
    return previous
