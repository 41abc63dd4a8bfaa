"""A file read again after its ingest, for its text or its pictures: where the ingest read it (a
folder, a disk image, its archive), its SHA-256 computed again on the way. Evidence is read-only, and a text must
come from the bytes that were hashed: bytes that differ are refused."""

import hashlib
from collections.abc import Iterator

from django.conf import settings

from config.messages import message
from evidence.ingest import sources
from evidence.ingest.archive_reading import in_archive, members_again
from evidence.ingest.pipeline.files import file_blocks
from evidence.models import EvidenceFile
from texts.limits import TextRefused


def contents_again(records: list[EvidenceFile], reader) -> Iterator[tuple[EvidenceFile, "bytes | None | TextRefused"]]:
    """Each of ``records`` with its bytes read again (``file_bytes_again``), or the refusal saying
    why not: the files that lie in a folder or a disk image first, then the members of archives as
    the walk of their archive reads them (``evidence.ingest.archive_reading.members_again``: each
    archive walked once for all of its members here). One content at a time."""
    for record in records:
        if not in_archive(record):
            try:
                yield record, file_bytes_again(record, reader)
            except TextRefused as refusal:
                yield record, refusal
    for record, given in members_again([record for record in records if in_archive(record)]):
        if isinstance(given, dict):  # a stored message: why it was not read again
            yield record, TextRefused(given)
        else:
            yield record, given if given is not None and len(given) <= settings.TEXT_MAX_FILE_BYTES else None


def file_bytes_again(record: EvidenceFile, reader) -> bytes | None:
    """The bytes of a file that is not a member of an archive (``contents_again`` reads those), or
    None past TEXT_MAX_FILE_BYTES (not read further). Raises ``TextRefused``
    when they cannot be read or are not the ones hashed at ingest. ``reader``: an open
    ``evidence.ingest.disk_files.ImageReader``."""
    path = sources.real_path(record.source_path)
    locator = record.image_locator
    try:
        blocks = (
            reader.read(path, locator["offset"], locator["inode"], locator.get("type"))
            if locator
            else file_blocks(path)
        )
        content = bytearray()
        for block in blocks:
            content.extend(block)
            if len(content) > settings.TEXT_MAX_FILE_BYTES:
                return None
    except sources.READ_ERRORS as error:
        raise TextRefused(message("file.unreadable", reason=str(error))) from error
    if record.sha256 is not None and hashlib.sha256(content).digest() != bytes(record.sha256):
        raise TextRefused(message("text.changed_since_ingest"))
    return bytes(content)
