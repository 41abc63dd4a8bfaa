from celery import shared_task

from hashing.importers import hash_list_version_import
from hashing.indexes import version_index_build
from hashing.matching import rematch_after_activation
from hashing.models import HashListVersion


@shared_task(acks_late=True)
def hash_list_import(version_id: int) -> None:
    hash_list_version_import(version=HashListVersion.objects.select_related("hash_list").get(pk=version_id))


@shared_task(acks_late=True)
def hash_list_rematch(version_id: int, previous_id: int | None) -> None:
    version = HashListVersion.objects.get(pk=version_id)
    version_index_build(version=version)
    rematch_after_activation(version=version, previous_id=previous_id)
