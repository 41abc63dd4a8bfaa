from django.conf import settings
from django.db import transaction
from django.utils import timezone

from audit.services import audit_record
from evidence.store import store_stream
from hashing.listformats import detect_format
from hashing.models import HashList, HashListVersion


@transaction.atomic
def hash_list_version_create(
    *,
    name: str,
    kind: str,
    stream,
    file_name: str,
    by,
    label: str = "",
    default_category: str = "",
    queue: bool = True,
    ip: str | None = None,
) -> HashListVersion:
    """Store a list file and create the version that will import it.

    With ``queue``, the import runs on a Celery worker once this transaction commits; otherwise
    the caller runs ``hash_list_version_import`` itself (the command line does).
    """
    blob = store_stream(stream, settings.HASHLIST_ROOT)
    with open(blob.path, "rb") as stored:
        file_format = detect_format(stored.read(4096))
    hash_list, created = HashList.objects.get_or_create(
        name=name, defaults={"kind": kind, "created_by": by, "default_category": default_category}
    )
    if created:
        audit_record(actor=by, action="hashlist.create", target=hash_list, ip=ip, kind=kind)
    version = HashListVersion.objects.create(
        hash_list=hash_list,
        label=label or timezone.localtime().strftime("%Y-%m-%d %H:%M:%S"),
        file_format=file_format,
        file_name=file_name[:255],
        file_sha256=blob.sha256,
        file_size=blob.size,
        stored_path=str(blob.path),
        imported_by=by,
    )
    audit_record(
        actor=by, action="hashlist.import", target=version, ip=ip, file_name=file_name, sha256=blob.sha256.hex()
    )
    if queue:
        from hashing.tasks import hash_list_import

        transaction.on_commit(lambda: hash_list_import.delay(version.pk))
    return version


@transaction.atomic
def hash_list_version_activate(*, version: HashListVersion, by=None) -> None:
    """Make ``version`` the one active version of its list, in one transaction."""
    HashListVersion.objects.filter(hash_list=version.hash_list, is_active=True).exclude(pk=version.pk).update(
        is_active=False
    )
    version.is_active = True
    version.save(update_fields=["is_active"])
    audit_record(actor=by, action="hashlist.activate", target=version)
