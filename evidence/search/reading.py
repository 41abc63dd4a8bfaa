"""A file read again after its ingest, for its text or its pictures: where the ingest read it (a
folder, a disk image), its SHA-256 computed again on the way. Evidence is read-only, and a text must
come from the bytes that were hashed: bytes that differ are refused."""

import hashlib

from django.conf import settings

from config.messages import message
from evidence.ingest import sources
from evidence.ingest.pipeline.files import file_blocks
from evidence.models import EvidenceFile
from texts.limits import TextRefused


def readable_again(record: EvidenceFile) -> bool:
    """Whether the file can be read again where it lies: not a member of an archive (its archive
    would have to be walked again: a later step)."""
    return not (record.container_id and not record.image_locator)


def file_bytes_again(record: EvidenceFile, reader) -> bytes | None:
    """The file's bytes, or None past TEXT_MAX_FILE_BYTES (not read further). Raises ``TextRefused``
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
