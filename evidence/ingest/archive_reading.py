"""An archive opened where the ingest found it, and its members read again after the ingest.

The ingest walks an archive once and keeps of its members only what it read then (digests, the
text, the perceptual hashes). A later look at a member (a detection job, its pictures' text, its
text indexed after the ingest) reads it again by walking its archive again: each archive once for
all of the members asked, nested ones included, each member's SHA-256 checked on the way (evidence
is read-only: what is looked at must be the bytes that were hashed).
"""

import io
from collections.abc import Iterable, Iterator
from contextlib import closing

from django.conf import settings

from config.messages import Message, message, reason_of
from evidence.ingest import archive_passwords, disk_files, disk_images, filetypes, sources
from evidence.ingest.archives.limits import Limits
from evidence.ingest.archives.members import WalkReport
from evidence.ingest.archives.walk import container_kind, walk
from evidence.models import EvidenceFile, IngestJob


def archive_limits() -> Limits:
    return Limits(
        max_depth=settings.ARCHIVE_MAX_DEPTH,
        max_members=settings.ARCHIVE_MAX_MEMBERS,
        max_member_bytes=settings.ARCHIVE_MAX_MEMBER_BYTES,
        max_total_bytes=settings.ARCHIVE_MAX_TOTAL_BYTES,
        max_ratio=settings.ARCHIVE_MAX_RATIO,
        max_buffer_bytes=settings.ARCHIVE_MAX_BUFFER_BYTES,
    )


def archive_stream(container: EvidenceFile):
    """The archive's bytes as a seekable stream: the file itself, or, inside a disk image, a copy
    in memory (never on disk), within ARCHIVE_MAX_BUFFER_BYTES."""
    path = sources.real_path(container.source_path)
    locator = container.image_locator
    if not locator:
        return sources.open_source(path)
    if container.size > settings.ARCHIVE_MAX_BUFFER_BYTES:
        raise disk_images.ImageReadError(message("archive.too_large_in_image"))
    with disk_files.ImageReader() as reader:
        return io.BytesIO(b"".join(reader.read(path, locator["offset"], locator["inode"], locator.get("type"))))


def in_archive(record: EvidenceFile) -> bool:
    """Whether the file is a member of an archive (or an e-mail's attachment): read again only by
    walking its archive (``members_again``). A disk image's files are read where they lie."""
    return bool(record.container_id) and not record.image_locator


# A job that reads members again takes files in chunks by id and walks each archive once a chunk: a
# chunk that ended among an archive's members would have the next one walk it again from its start.
# The members not asked are passed by (``WalkReport.only``): a zip's walk is then its central
# directory, a compressed tar's its decompression, a 7z's the decoding of its folders that hold an
# asked member up to the last one, a mailbox's the split of its messages and the parsing of those that
# hold one. What is still read again each walk is worth sparing: ``chunk_after`` lets such a chunk run
# on to the end of the archive's members that follow, up to this many files in all.
ARCHIVE_CHUNK_FILES = 1000


def chunk_after(files, after: int, size: int) -> list[EvidenceFile]:
    """The next ``size`` of ``files`` (a queryset) after id ``after``, in id order; when the last of
    them is an archive's member, with the members of the chunk's archives that directly follow it,
    up to ARCHIVE_CHUNK_FILES files in all."""
    chunk = list(files.filter(pk__gt=after).order_by("pk")[:size])
    if len(chunk) < size or not in_archive(chunk[-1]):
        return chunk
    archives = {record.container_id for record in chunk if in_archive(record)}
    for record in files.filter(pk__gt=chunk[-1].pk).order_by("pk")[: max(0, ARCHIVE_CHUNK_FILES - size)]:
        if not (in_archive(record) and record.container_id in archives):
            break
        chunk.append(record)
    return chunk


def members_again(records: Iterable[EvidenceFile]) -> Iterator[tuple[EvidenceFile, "bytes | None | Message"]]:
    """Each of ``records`` (archive members, ``in_archive``) with its bytes read again, as its
    archive's walk meets it: its content (kept by the walk up to ARCHIVE_MAX_BUFFER_BYTES), None
    past that, or a stored message saying why it is not given (the archive unreadable now, the
    member not in it any more, or not the bytes hashed at ingest). One content at a time: the
    caller looks at it before the next is read. The job's archive password is tried as the ingest
    tried it."""
    by_container: dict[int, dict[tuple, EvidenceFile]] = {}
    for record in records:
        by_container.setdefault(record.container_id, {})[tuple(record.archive_path or ())] = record
    containers = EvidenceFile.objects.in_bulk(list(by_container))
    for container_id, wanted in by_container.items():
        container = containers.get(container_id)
        if container is None:  # never: a member's row goes with its archive's (CASCADE)
            continue
        job = IngestJob.objects.filter(pk=next(iter(wanted.values())).job_id).first()
        password = archive_passwords.decrypt(job.archive_password) if job else None
        report = WalkReport(password=password, only=_on_the_way(wanted))
        try:
            yield from _walk_for(container, wanted, report)
        except sources.READ_ERRORS as error:
            unreadable = message("archive.unreadable", archive=container.path, reason=reason_of(error))
            for record in wanted.values():
                yield record, unreadable
            wanted.clear()
        for record in wanted.values():
            yield record, message("archive.member_not_found_again", archive=container.path)


def _on_the_way(wanted: dict[tuple, EvidenceFile]) -> frozenset:
    """The archive paths of the members ``wanted`` and of the archives nested on their way."""
    return frozenset(path[:end] for path in wanted for end in range(1, len(path) + 1))


def _walk_for(container: EvidenceFile, wanted: dict, report: WalkReport):
    """Walk ``container`` until the members ``wanted`` (by archive path; taken out as they are met)
    are read, yielding each with its content."""
    with archive_stream(container) as stream:
        head = stream.read(filetypes.SNIFF_BYTES)
        stream.seek(0)
        kind = container_kind(head, container.mime, container.path)
        with closing(walk(stream, kind, container.path, archive_limits(), report, container.size)) as members:
            for member in members:
                record = wanted.pop(tuple(member.archive_path), None)
                if record is None:
                    continue
                hashed = member.digests is not None and record.sha256 is not None
                if not hashed or member.digests["sha256"] != bytes(record.sha256):
                    yield record, message("archive.member_changed", archive=container.path)
                else:
                    yield record, member.content
                if not wanted:
                    return
