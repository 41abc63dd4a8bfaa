"""The hash lists' work that reaches the evidence: a version imported on a worker, and the files
matched again once a version is active. hashing creates, imports and activates versions and knows
no evidence file; these services hand it what follows (the tasks of ``evidence.list_tasks``)."""

from django.db import transaction

from audit.services import audit_record
from config.work_locks import is_claimed
from evidence.list_tasks import hash_list_import, rematch_on_commit
from evidence.models import RematchNotice
from hashing.models import HashListVersion
from hashing.services import hash_list_version_activate, hash_list_version_start


def hash_list_import_queue(version: HashListVersion) -> None:
    """Import ``version`` on a worker once the current transaction commits; the files are matched
    again if it becomes active."""
    transaction.on_commit(lambda: hash_list_import.delay(version.pk))


def hash_list_version_start_import(
    *, version: HashListVersion, by, mapping: dict[str, str] | None = None, ip: str | None = None
) -> HashListVersion:
    """Confirm a draft version after its preview (``hash_list_version_start``) and queue its import."""
    return hash_list_version_start(version=version, by=by, mapping=mapping, ip=ip, queue_import=hash_list_import_queue)


def hash_list_version_activate_rematching(*, version: HashListVersion, by=None, ip: str | None = None):
    """Activate ``version`` (``hash_list_version_activate``); once committed, every ingested file whose
    match may have changed is matched again in the background. Returns the version it replaced."""
    return hash_list_version_activate(version=version, by=by, ip=ip, activated=rematch_on_commit)


def hash_list_imports_resume(*, by=None, queued_before=None) -> int:
    """Queue again the imports that are queued or importing with no worker on them (their message
    was lost with the broker, or their worker died); return how many. A copy of an import that is
    still queued finds it claimed or done and does nothing (hashing.importers). ``queued_before``:
    an import still queued that was created after it is left alone (its message may be on its way)."""
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


def rematch_notice_dismiss(*, notice: RematchNotice, by) -> None:
    """``by`` has read the notice that a list activation changed files of their dossier: it is no longer shown to them.

    The caller checks that ``by`` may see the notice's dossier.
    """
    notice.seen_by.add(by)
