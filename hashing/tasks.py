from celery import shared_task

from hashing.importers import hash_list_version_import
from hashing.models import HashListVersion


@shared_task(acks_late=True)
def hash_list_import(version_id: int) -> None:
    hash_list_version_import(version=HashListVersion.objects.select_related("hash_list").get(pk=version_id))
