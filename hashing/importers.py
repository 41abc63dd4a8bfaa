"""Importing a stored list file into a version: streamed, in chunks, one bad line never fatal."""

import logging

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from hashing.listformats import PARSERS, Entry
from hashing.models import HashEntry, HashListVersion
from hashing.services import hash_list_version_activate

log = logging.getLogger(__name__)
MALFORMED_KEPT = 1000


class UnsupportedFormat(Exception):
    pass


def hash_list_version_import(*, version: HashListVersion) -> HashListVersion:
    """Parse the version's file and load its entries; activate it when everything is in.

    A version that fails keeps no entries and is never active, so the list's previous version
    stays in force. Precondition: the version is queued (a ready version is immutable).
    """
    if version.status == HashListVersion.Status.READY:
        return version
    HashEntry.objects.filter(version=version).delete()  # a retried import starts from scratch
    version.status = HashListVersion.Status.IMPORTING
    version.started_at = timezone.now()
    version.lines_read = version.entries = version.duplicates = version.malformed = 0
    version.malformed_sample = []
    version.save(
        update_fields=["status", "started_at", "lines_read", "entries", "duplicates", "malformed", "malformed_sample"]
    )
    try:
        parser = PARSERS.get(version.file_format)
        if parser is None:
            raise UnsupportedFormat(f"The {version.file_format} format cannot be imported yet.")
        _load(version, parser)
    except Exception as error:  # noqa: BLE001 - any failure must leave the version failed, not half active
        log.exception("hash list import %s failed", version.pk)
        HashEntry.objects.filter(version=version).delete()
        version.status = HashListVersion.Status.FAILED
        version.error = str(error) or error.__class__.__name__
        version.finished_at = timezone.now()
        version.save(update_fields=["status", "error", "finished_at"])
        return version
    version.status = HashListVersion.Status.READY
    version.finished_at = timezone.now()
    version.save(update_fields=["status", "finished_at"])
    hash_list_version_activate(version=version, by=version.imported_by)
    return version


def _load(version: HashListVersion, parser) -> None:
    chunk_size = settings.HASHLIST_IMPORT_CHUNK
    category = version.hash_list.default_category
    seen: set[tuple[str, bytes]] = set()
    pending: list[HashEntry] = []

    def flush() -> None:
        with transaction.atomic():
            HashEntry.objects.bulk_create(pending, batch_size=chunk_size)
            version.lines_read = lines.count
            version.save(update_fields=["lines_read", "entries", "duplicates", "malformed", "malformed_sample"])
        pending.clear()

    with open(version.stored_path, "rb") as stream:
        lines = _LineCounter(stream)
        for item in parser(lines):
            if isinstance(item, Entry):
                key = (item.algorithm, item.value)
                if key in seen:
                    version.duplicates += 1
                    continue
                seen.add(key)
                pending.append(
                    HashEntry(
                        version=version,
                        algorithm=HashEntry.BY_NAME[item.algorithm],
                        value=item.value,
                        category=category,
                        name=item.name[:255],
                    )
                )
                version.entries += 1
            else:
                version.malformed += 1
                if len(version.malformed_sample) < MALFORMED_KEPT:
                    version.malformed_sample.append([item.line, item.reason])
            if len(pending) >= chunk_size:
                flush()
        flush()


class _LineCounter:
    """Counts the lines a parser reads, comments and blank lines included, for the progress bar."""

    def __init__(self, stream):
        self.stream = stream
        self.count = 0

    def __iter__(self):
        for line in self.stream:
            self.count += 1
            yield line
