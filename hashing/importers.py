"""Importing a stored list file into a version: streamed, in chunks, one bad record never fatal.

Two storages (hashing.blockstore). Blocks of bare digests (``Run`` items: the lines of a plain
list that hold nothing but a digest) are decoded by the parser and kept in memory as packed bytes
(16-32 bytes a digest); at the end numpy sorts and deduplicates them and they are written as
packed ``DigestBlock`` buckets, one row per 18-bit prefix, with binary COPY. A digest that is
also a rich entry (below) is kept as the entry, which carries more, and counted as a duplicate.

Every other entry (md5sum lines with a name, CSV, VICS, NSRL rows: a name, a category, extra data,
perceptual hashes) is a rich entry. Rich entries are first loaded into a per-import staging table
(``hashing.staging``; PostgreSQL: a TEMP table filled with COPY; SQLite, the no-config demo:
executemany), then moved into ``hashing_hashentry`` with one ``INSERT ... SELECT`` that keeps the
first occurrence of each (algorithm, value). Duplicates are thus counted by numpy and the
database, never by a Python set of tens of millions of digests, and both storages are written in
the same transaction that makes the version ready and active: a failed or cancelled import never
leaves half a version behind.
"""

import json
import logging

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from audit.services import audit_record
from config.database import connection_lost, when_database_is_back
from config.messages import Message, english, message
from config.work_locks import claim
from hashing import digestsets
from hashing.blockstore import EXACT, blocks_write, has_blocks, version_difference
from hashing.listformats import DIGEST_BYTES, PARSERS, RUN_PARSERS, Entry, FormatError, Run, nsrl_row_count
from hashing.listformats.base import bounded_lines
from hashing.listformats.encoding import open_list
from hashing.models import DigestBlock, HashEntry, HashList, HashListVersion
from hashing.services import Activated, hash_list_version_activate
from hashing.staging import StagingTable

log = logging.getLogger(__name__)
MALFORMED_KEPT = 1000


class ImportCancelled(Exception):
    pass


class ImportInterrupted(Exception):
    """The database connection was lost mid-import; the version is failed and may be imported again."""


def hash_list_version_import(
    *, version: HashListVersion, activate: bool = True, activated: Activated | None = None
) -> HashListVersion:
    """Parse the version's file and load its entries; activate it when everything is in.

    ``activated`` is handed to ``hash_list_version_activate``: what follows an activation is the
    caller's (``evidence.triage.lists`` matches the files again).

    A version that fails or is cancelled keeps no entries and is never active, so the list's
    previous version stays in force. Precondition: the version is draft or queued (a ready
    version is immutable); a version imported again (its worker died) starts from scratch.
    """
    if version.status in (HashListVersion.Status.READY, HashListVersion.Status.CANCELLED):
        return version
    with claim("hash_list_import", version.pk) as mine:
        if not mine:
            return version  # another worker imports it now (a message delivered twice)
        version.refresh_from_db()
        if version.status in (HashListVersion.Status.READY, HashListVersion.Status.CANCELLED):
            return version
        return _import_claimed(version, activate, activated)


def _import_claimed(version: HashListVersion, activate: bool, activated: Activated | None) -> HashListVersion:
    _import_start(version)
    staging = StagingTable(version)
    try:
        if version.cancel_requested:
            raise ImportCancelled
        _import_run(version, staging, activate, activated)
    except ImportCancelled:
        _give_up(version, HashListVersion.Status.CANCELLED, "")
    except Exception as error:  # noqa: BLE001 - any failure must leave the version failed, not half active
        _import_failed(version, error)
    finally:
        staging.drop()
    return version


def _import_start(version: HashListVersion) -> None:
    """Mark the version importing, its counts from zero (a version imported again starts over)."""
    HashListVersion.objects.filter(pk=version.pk).update(
        status=HashListVersion.Status.IMPORTING,
        started_at=timezone.now(),
        lines_read=0,
        entries=0,
        duplicates=0,
        malformed=0,
        malformed_sample=[],
        progress_done=0,
        error="",
    )
    version.refresh_from_db()


def _import_run(version: HashListVersion, staging: StagingTable, activate: bool, activated: Activated | None) -> None:
    """Read the file into ``staging`` and the runs, then store both and make the version ready (and
    active) in one transaction."""
    parser = RUN_PARSERS.get(version.file_format) or PARSERS.get(version.file_format)
    if parser is None:
        if version.file_format == "empty":
            raise FormatError(message("list.empty_file"))
        raise FormatError(message("list.format_unknown", format=version.file_format))
    runs: dict[str, list[bytes]] = {}
    staged = _load(version, parser, staging, runs)
    if not staged:
        # Activating it would silently empty the list: refuse, and keep the active version.
        raise FormatError(message("list.no_hash_found"))
    with transaction.atomic():
        if version.adds_to_active:
            staged += _take_in_active(version, staging, runs)
        version.entries = staging.move_into_entries()
        version.entries += _write_blocks(version, runs)
        runs.clear()
        version.duplicates = staged - version.entries
        _diff_with_active(version)
        version.status = HashListVersion.Status.READY
        version.finished_at = timezone.now()
        version.save()
        if activate:
            hash_list_version_activate(version=version, by=version.imported_by, activated=activated)


def _import_failed(version: HashListVersion, error: Exception) -> None:
    """Record why the import failed. Called while ``error`` is being handled.

    A lost connection is recorded once the database is back and raised as ImportInterrupted (the
    task imports the version again); any other error leaves the version failed, with its reason.
    """
    # COPY raises the driver's own errors, not Django's: both mean a database error.
    if connection_lost(error):
        # The database dropped us (restart, failover, a killed backend): what was staged went
        # with the session and nothing was committed. Record it on a new connection; the task
        # imports the version again.
        # A restart can leave it down for a while: the record waits for it (config.database).
        reason = message("list.connection_lost", reason=str(error).strip()[:200])

        def record() -> None:
            _give_up(version, HashListVersion.Status.FAILED, reason)
            # The log keeps the code and its parameters, and the English words for reading.
            audit_record(
                actor=None,
                action="hashlist.import_interrupted",
                target=version,
                error=english(reason),
                error_message=reason,
            )

        when_database_is_back(record)
        raise ImportInterrupted(english(reason)) from error
    if not isinstance(error, FormatError):
        log.exception("hash list import %s failed", version.pk)
    if isinstance(error, FormatError):
        reason = error.message
    elif detail := str(error).strip():
        reason = message("list.unexpected_error", kind=error.__class__.__name__, detail=detail[:500])
    else:
        reason = message("list.unexpected_error_bare", kind=error.__class__.__name__)
    _give_up(version, HashListVersion.Status.FAILED, reason)


def _give_up(version: HashListVersion, status: str, error: Message | str) -> None:
    HashEntry.objects.filter(version=version).delete()
    DigestBlock.objects.filter(version=version).delete()
    version.status = status
    version.error = error
    version.is_active = False
    version.finished_at = timezone.now()
    version.save(update_fields=["status", "error", "is_active", "finished_at"])


def _load(version: HashListVersion, parser, staging: StagingTable, runs: dict[str, list[bytes]]) -> int:
    """Stream the file through ``parser``; return the entries read, duplicates included.

    A ``Run`` (a block of bare digests, already decoded) is kept in ``runs`` by algorithm; every
    other entry is a row for the staging table.
    """
    chunk_size = settings.HASHLIST_IMPORT_CHUNK
    algorithms = HashEntry.BY_NAME
    pending: list[tuple] = []
    staged = 0
    with open(version.stored_path, "rb") as raw:
        stream = _Progress(open_list(raw))
        if version.file_format == "nsrl":
            version.progress_total = nsrl_row_count(version.stored_path)
        else:
            version.progress_total = version.file_size
        for item in parser(stream, mapping=version.column_mapping or None):
            item_type = type(item)
            if item_type is Run:
                runs.setdefault(item.algorithm, []).append(item.values)
                staged += item.count
                _checkpoint(version, stream, item.line, staged)
            elif item_type is Entry:
                staged += 1
                pending.append(
                    (
                        item.line,
                        algorithms[item.algorithm],
                        item.value,
                        item.category[:32],
                        item.series[:255],
                        item.name[:255],
                        json.dumps(item.extra) if item.extra else None,
                        item.line,
                    )
                )
                if len(pending) >= chunk_size:
                    staging.write(pending)
                    pending.clear()
                    _checkpoint(version, stream, item.line, staged)
            else:
                version.malformed += 1
                if len(version.malformed_sample) < MALFORMED_KEPT:
                    version.malformed_sample.append([item.line, item.reason])
        staging.write(pending)
        _checkpoint(version, stream, None, staged)
    return staged


def _take_in_active(version: HashListVersion, staging: StagingTable, runs: dict[str, list[bytes]]) -> int:
    """Take the list's active version into this one, which adds to it; return how many entries came in.

    The list's row is locked first and stays locked until this transaction has made the version
    active: two versions adding to one list (two dossiers adding their material at once) are
    merged one after the other, the second taking in the first once it is active, so neither
    addition is lost. The active version's rich entries are staged ahead of the file's own (they
    win a duplicate, as before); its bare digests join the file's.
    Precondition: inside the transaction that makes the version ready and active.
    """
    HashList.objects.select_for_update().get(pk=version.hash_list_id)
    active = HashListVersion.objects.filter(hash_list_id=version.hash_list_id, is_active=True).first()
    if active is None or active.pk == version.pk:
        return 0
    taken = staging.take_in(active)
    for algorithm, number in EXACT.items():
        blocks = DigestBlock.objects.filter(version=active, algorithm=number).values_list("digests", flat=True)
        for packed in blocks.iterator(chunk_size=500):
            runs.setdefault(algorithm, []).append(bytes(packed))
            taken += len(packed) // DIGEST_BYTES[algorithm]
    return taken


def _checkpoint(version: HashListVersion, stream: "_Progress", record: int | None, staged: int) -> None:
    """Publish progress for the page and honour a cancel request (checked once per chunk)."""
    version.lines_read = stream.lines
    if version.file_format == "nsrl":
        version.progress_done = record or version.progress_total
    else:
        version.progress_done = stream.bytes
    HashListVersion.objects.filter(pk=version.pk).update(
        lines_read=version.lines_read,
        progress_done=version.progress_done,
        progress_total=version.progress_total,
        entries=staged,
        malformed=version.malformed,
        malformed_sample=version.malformed_sample,
    )
    if HashListVersion.objects.filter(pk=version.pk, cancel_requested=True).exists():
        raise ImportCancelled


def _write_blocks(version: HashListVersion, runs: dict[str, list[bytes]]) -> int:
    """Store the bare digests read as buckets, once each and not already a rich entry; return how many.

    Precondition: the rich entries are in ``hashing_hashentry`` (same transaction).
    """
    stored = 0
    for algorithm, chunks in runs.items():
        number = HashEntry.BY_NAME[algorithm]
        values = digestsets.as_array(chunks, DIGEST_BYTES[algorithm])
        chunks.clear()  # before sorting: at most two copies of the digests in memory
        values = digestsets.sorted_unique(values)
        rich = HashEntry.objects.filter(version=version, algorithm=number).values_list("value", flat=True)
        if rich.exists():
            rich_values = map(bytes, rich.iterator(chunk_size=20_000))
            values = digestsets.without(values, digestsets.as_array(rich_values, DIGEST_BYTES[algorithm]))
        category = version.hash_list.default_category[:32]
        stored += blocks_write(version_id=version.pk, algorithm=number, category=category, values=values)
    return stored


def _diff_with_active(version: HashListVersion) -> None:
    """Count the hashes added and removed against the version active now (none for a first version)."""
    base = version.hash_list.versions.filter(is_active=True).exclude(pk=version.pk).first()
    version.diff_base = base
    if base is None:
        version.added, version.removed = version.entries, 0
        return
    if has_blocks(version.pk, base.pk):
        # Exact digests in blocks on either side: compared in numpy, the few others in SQL below.
        difference = version_difference(version.pk, base.pk)
        version.added = sum(len(added) for added, _ in difference.values())
        version.removed = sum(len(removed) for _, removed in difference.values())
        perceptual = [int(HashEntry.Algorithm.PHASH), int(HashEntry.Algorithm.PDQ)]
        query = (
            "SELECT count(*) FROM hashing_hashentry n WHERE n.version_id = %s AND n.algorithm IN (%s, %s)"
            " AND NOT EXISTS (SELECT 1 FROM hashing_hashentry o WHERE o.version_id = %s"
            " AND o.algorithm = n.algorithm AND o.value = n.value)"
        )
        with connection.cursor() as cursor:
            cursor.execute(query, [version.pk, *perceptual, base.pk])
            version.added += cursor.fetchone()[0]
            cursor.execute(query, [base.pk, *perceptual, version.pk])
            version.removed += cursor.fetchone()[0]
        return
    query = (
        "SELECT count(*) FROM hashing_hashentry n WHERE n.version_id = %s AND NOT EXISTS ("
        " SELECT 1 FROM hashing_hashentry o WHERE o.version_id = %s AND o.algorithm = n.algorithm"
        " AND o.value = n.value)"
    )
    with connection.cursor() as cursor:
        cursor.execute(query, [version.pk, base.pk])
        version.added = cursor.fetchone()[0]
        cursor.execute(query, [base.pk, version.pk])
        version.removed = cursor.fetchone()[0]


class _Progress:
    """The file seen by a parser, counting lines and bytes for the progress bar.

    Line formats iterate over it (``bounded_lines``: an over-long line is cut, never held whole);
    the block parsers and the JSON parser read blocks from it.
    """

    def __init__(self, stream):
        self.stream = stream
        self.name = stream.name
        self.lines = 0
        self.last_byte = b""

    @property
    def bytes(self) -> int:
        # The position in the stored file, not the bytes handed out: a UTF-16 list is read as UTF-8.
        return self.stream.tell()

    def __iter__(self):
        for line in bounded_lines(self.stream):
            self.lines += 1
            yield line

    def read(self, size: int = -1) -> bytes:
        block = self.stream.read(size)
        self.lines += block.count(b"\n")
        if block:
            self.last_byte = block[-1:]
        elif self.last_byte not in (b"", b"\n"):
            self.lines += 1  # the last line has no line end
            self.last_byte = b"\n"
        return block
