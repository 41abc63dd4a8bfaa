"""The hash lists' background work, on the lists queue: importing a version, then matching the
ingested files again once a version is active; near copies after a categorisation; the index of
the installation's files. hashing imports and activates; what that changes in the evidence is
matched here."""

from celery import shared_task
from django.db import InterfaceError, OperationalError, transaction

from evidence.triage.file_index import file_index_build
from evidence.triage.matching import near_copies_rematch, rematch_after_activation
from hashing.importers import ImportInterrupted, hash_list_version_import
from hashing.indexes import version_index_build
from hashing.models import HashListVersion


def rematch_on_commit(version: HashListVersion, replaced: HashListVersion | None) -> None:
    """Match the files again for a version just made active, once its activation commits."""
    replaced_id = replaced.pk if replaced else None
    transaction.on_commit(lambda: hash_list_rematch.delay(version.pk, replaced_id))


# A lost database connection fails the version cleanly (nothing half imported) and is tried again.
@shared_task(
    acks_late=True,
    autoretry_for=(ImportInterrupted, OperationalError, InterfaceError),
    retry_backoff=True,
    max_retries=5,
)
def hash_list_import(version_id: int) -> None:
    hash_list_version_import(
        version=HashListVersion.objects.select_related("hash_list").get(pk=version_id), activated=rematch_on_commit
    )


@shared_task(acks_late=True)
def hash_list_rematch(version_id: int, previous_id: int | None) -> None:
    version = HashListVersion.objects.get(pk=version_id)
    version_index_build(version=version)
    rematch_after_activation(version=version, previous_id=previous_id)


@shared_task(acks_late=True)
def review_near_copies(file_ids: list[int]) -> None:
    """After a categorisation: the copies already ingested elsewhere become near matches."""
    near_copies_rematch(file_ids=file_ids)


@shared_task(acks_late=True)
def file_index_rebuild() -> None:
    """A new base for the index of the installation's files (asked for when its delta has grown)."""
    file_index_build()
