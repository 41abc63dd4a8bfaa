"""The perceptual hashes of every file of this installation, searchable like a list's.

Three readers: near matching against the files already categorised (a batch at ingestion), the
copies still waiting when a reviewer categorises a file, and a file's page (its near copies in the
user's dossiers). Each asks for hits (file id, distance) and then filters them in the database
(state, dossier): the index knows hashes and file ids, nothing of who may see what.

Two parts, per process:
- a base, built from a database snapshot by ``file_index_build`` (a task on the lists queue) and
  written under DERIVED_ROOT/indexes/ (``nearest.HammingIndex``, memory-mapped), named by a small
  pointer file that every process checks on each search and reloads when it changes;
- a delta: the files whose hashes were written since that snapshot, read from the change log that
  PostgreSQL triggers append (``PerceptualChange``). A log row carries its transaction's id; a
  snapshot sees every transaction below its xmax except those then in progress (its xip list), so
  the rows a snapshot did not see are ``xid >= xmax or xid in xip``: two index scans, whatever order
  transactions commit in. Each search reads the log that way from the last snapshot it took and
  keeps the delta in the process. When the delta passes FILE_INDEX_DELTA_MAX files, a worker asks
  for a new base (a task on the lists queue).

On SQLite (the embedded demo) there is no log: every search reads all the files' hashes.
"""

import json
import logging
import shutil
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from django.conf import settings
from django.db import connection
from django.db.models import Q

from evidence.models import EvidenceFile, PerceptualChange, VideoFrame
from hashing.indexes import PERCEPTUAL, search_radius
from hashing.near_matching import usable_phash
from hashing.nearest import HammingIndex, as_codes

log = logging.getLogger(__name__)
LOCK_KEY = 0x5CE11E_F11E  # pg advisory lock: one base built at a time
BUILD_ASKED_EVERY = 60.0  # seconds: a process asks for a new base at most this often
_lock = threading.Lock()
_state: dict = {}


@dataclass
class Codes:
    """Codes of one algorithm with, by position, the file each belongs to and its PDQ quality."""

    index: HammingIndex
    files: np.ndarray  # int64 file ids
    quality: np.ndarray  # uint8, 100 for pHash

    @classmethod
    def of(cls, arrays: tuple[np.ndarray, np.ndarray, np.ndarray]) -> "Codes":
        codes, files, quality = arrays
        bits = codes.shape[1] * 8
        radius = search_radius()[next(name for name, size in PERCEPTUAL.items() if size == bits)]
        return cls(HammingIndex.build(codes, radius=radius), files, quality)


def _usable(rows, chunk: int = 100_000) -> dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """Per algorithm, (codes, file ids, qualities) from rows (file id, pdq, pdq quality, phash).

    Converted to arrays every ``chunk`` rows: ten million files never sit in memory as Python objects.
    """
    parts: dict[str, list] = {name: [] for name in PERCEPTUAL}
    pending: dict[str, list] = {name: [] for name in PERCEPTUAL}

    def flush():
        for name, bits in PERCEPTUAL.items():
            if pending[name]:
                parts[name].append(
                    (
                        as_codes([value for _, value, _ in pending[name]], bits),
                        np.asarray([file_id for file_id, _, _ in pending[name]], dtype=np.int64),
                        np.asarray([quality for _, _, quality in pending[name]], dtype=np.uint8),
                    )
                )
                pending[name] = []

    for number, (file_id, pdq, quality, phash) in enumerate(rows, start=1):
        if pdq is not None and len(pdq) == 32:
            pending["pdq"].append((file_id, bytes(pdq), min(quality or 0, 255)))
        if usable_phash(phash) and len(phash) == 8:
            pending["phash"].append((file_id, bytes(phash), 100))
        if number % chunk == 0:
            flush()
    flush()
    found = {}
    for name, bits in PERCEPTUAL.items():
        if parts[name]:
            found[name] = tuple(np.concatenate(column) for column in zip(*parts[name], strict=True))
        else:
            found[name] = (as_codes([], bits), np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.uint8))
    return found


def _hash_rows(file_ids=None):
    """(file id, pdq, pdq quality, phash) of files and of videos' keyframes; all files, or these."""
    files = EvidenceFile.objects.filter(processed_at__isnull=False)
    frames = VideoFrame.objects.all()
    if file_ids is not None:
        files, frames = files.filter(pk__in=file_ids), frames.filter(file_id__in=file_ids)
    files = files.exclude(pdq__isnull=True, phash__isnull=True)
    yield from files.values_list("pk", "pdq", "pdq_quality", "phash").iterator(chunk_size=20_000)
    yield from frames.values_list("file_id", "pdq", "pdq_quality", "phash").iterator(chunk_size=20_000)


def _postgresql() -> bool:
    return connection.vendor == "postgresql"


def file_index_built() -> bool:
    """Whether this installation keeps an index of its files (PostgreSQL). On SQLite (the embedded
    demo) none is built: every near-copy search reads every file's hashes, slower as files grow."""
    return _postgresql()


SNAPSHOT = """
SELECT pg_snapshot_xmin(snapshot)::text::bigint, pg_snapshot_xmax(snapshot)::text::bigint,
    ARRAY(SELECT xip::text::bigint FROM pg_snapshot_xip(snapshot) AS xip),
    pg_current_xact_id_if_assigned()::text::bigint
FROM (SELECT pg_current_snapshot() AS snapshot) AS current
"""


def _snapshot() -> dict:
    """The transactions this statement sees: all below xmax but those in progress (xip).

    The caller's own transaction, if it wrote anything, counts as in progress: it may write more.
    """
    with connection.cursor() as cursor:
        cursor.execute(SNAPSHOT)
        xmin, xmax, xip, own = cursor.fetchone()
    return {"xmin": min(xmin, own or xmin), "xmax": xmax, "xip": [*xip, *([own] if own else [])]}


def _changed_since(seen: dict) -> set[int]:
    """Files in log rows of transactions that ``seen`` (a snapshot) did not see: xid >= its xmax or in
    progress then. Any transaction it saw had committed, and its rows were read then or are in a base."""
    rows = PerceptualChange.objects.filter(Q(xid__gte=seen["xmax"]) | Q(xid__in=seen["xip"]))
    return set(rows.values_list("file_id", flat=True))


def _database() -> str:
    """Which database this is: an index built for another (recreated) one is never used."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_database(), oid FROM pg_database WHERE datname = current_database()")
        name, oid = cursor.fetchone()
    return f"{name}:{oid}"


def _folder() -> Path:
    return Path(settings.DERIVED_ROOT) / "indexes"


def _pointer_path() -> Path:
    return _folder() / "files.json"


def _read_pointer(database: str) -> dict | None:
    try:
        pointer = json.loads(_pointer_path().read_text())
    except (OSError, ValueError):  # none yet, or no local DERIVED_ROOT (object storage): no base
        return None
    return pointer if pointer.get("database") == database else None


def file_index_build() -> dict | None:
    """Build a new base from a snapshot of every file's hashes and point to it; None if another
    process is building one now. Log rows older than the previous base are no longer needed."""
    if not _postgresql():
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s)", [LOCK_KEY])
        if not cursor.fetchone()[0]:
            return None
    try:
        database = _database()
        previous = _read_pointer(database)
        seen = _snapshot()  # before reading: every transaction it sees is in what follows
        rows = _usable(_hash_rows())
        name = f"files-{seen['xmax']}-{time.time_ns()}"
        folder = _folder() / name
        partial = folder.with_name(name + ".partial")
        partial.mkdir(parents=True)
        for algorithm in PERCEPTUAL:
            codes = Codes.of(rows[algorithm])
            codes.index.save(partial / f"{algorithm}.index")
            np.save(partial / f"{algorithm}.files.npy", codes.files)
            np.save(partial / f"{algorithm}.quality.npy", codes.quality)
        partial.replace(folder)
        pointer = {
            "database": database,
            "folder": name,
            **seen,
            "previous": previous["folder"] if previous else None,
            "sizes": {algorithm: len(rows[algorithm][0]) for algorithm in PERCEPTUAL},
        }
        partial_pointer = _pointer_path().with_name(f"files.json.{name}")
        partial_pointer.write_text(json.dumps(pointer))
        partial_pointer.replace(_pointer_path())
        if previous:
            # A process still on the previous base reads log rows above its snapshot's xmin: keep
            # them, and the previous base's folder, until the next build.
            PerceptualChange.objects.filter(xid__lt=previous["xmin"]).delete()
            if previous.get("previous"):
                shutil.rmtree(_folder() / previous["previous"], ignore_errors=True)
        log.info("built the index of the installation's files: %s", pointer["sizes"])
        return pointer
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [LOCK_KEY])


def _load_base(pointer: dict) -> dict[str, Codes]:
    folder = _folder() / pointer["folder"]
    return {
        algorithm: Codes(
            HammingIndex.load(folder / f"{algorithm}.index"),
            np.load(folder / f"{algorithm}.files.npy", mmap_mode="r"),
            np.load(folder / f"{algorithm}.quality.npy", mmap_mode="r"),
        )
        for algorithm in PERCEPTUAL
    }


def _refresh(*, may_build: bool) -> tuple[dict[str, Codes], dict[str, Codes], set[int]]:
    """This process's base and delta, brought up to date; and the files the delta holds."""
    if not _postgresql():
        rows = _usable(_hash_rows())
        return {}, {name: Codes.of(rows[name]) for name in PERCEPTUAL}, set()
    database = _database()
    pointer = _read_pointer(database)
    key = (str(settings.DERIVED_ROOT), database, pointer and pointer["folder"])
    if _state.get("key") != key:
        _state.clear()
        _state.update(
            key=key,
            base=_load_base(pointer) if pointer else {},
            seen={key: pointer[key] for key in ("xmin", "xmax", "xip")} if pointer else {"xmax": 0, "xip": []},
            delta={},  # file id -> its rows (file id, pdq, quality, phash)
            codes=None,
            asked=0.0,
        )
    seen = _snapshot()
    changed = _changed_since(_state["seen"])
    _state["seen"] = seen  # what it saw had committed before the read above: read there or before
    fresh = sorted(changed)  # read again even if held: the hashes may have been written again
    if fresh:
        rows: dict[int, list] = {file_id: [] for file_id in fresh}
        for start in range(0, len(fresh), 10_000):
            for row in _hash_rows(fresh[start : start + 10_000]):
                rows[row[0]].append(row)
        _state["delta"].update(rows)
        _state["codes"] = None
    if _state["codes"] is None:
        flat = _usable(row for file_rows in _state["delta"].values() for row in file_rows)
        _state["codes"] = {name: Codes.of(flat[name]) for name in PERCEPTUAL}
    if may_build and len(_state["delta"]) > settings.FILE_INDEX_DELTA_MAX:
        if time.monotonic() - _state["asked"] > BUILD_ASKED_EVERY:
            _state["asked"] = time.monotonic()
            from kombu.exceptions import OperationalError

            from evidence.list_tasks import file_index_rebuild  # the task module imports this one

            try:
                file_index_rebuild.delay()
            except OperationalError:  # the broker is away: searching goes on, asked again later
                log.warning("could not ask for a new index of the installation's files", exc_info=True)
    return _state["base"], _state["codes"], set(_state["delta"])


def file_hits(codes: dict[str, np.ndarray], radius: dict[str, int], *, may_build: bool = False) -> dict[str, list]:
    """Per algorithm, (query, file id, distance) for every file of the installation within ``radius``
    of a query: the closest of its hashes (keyframes included), PDQ of quality >= PDQ_MIN_QUALITY only.

    ``may_build``: a worker may ask for a new base when the delta has grown (never a web page).
    """
    with _lock:
        base, delta, in_delta = _refresh(may_build=may_build)
    found: dict[str, list] = {}
    for algorithm in PERCEPTUAL:
        asked = codes.get(algorithm)
        if asked is None or not len(asked):
            found[algorithm] = []
            continue
        closest: dict[tuple[int, int], int] = {}
        for part, skip in ((base.get(algorithm), in_delta), (delta.get(algorithm), set())):
            if part is None:
                continue
            for query, row, distance in part.index.search(asked, radius[algorithm]):
                file_id = int(part.files[row])
                if file_id in skip:  # the delta holds this file's current hashes
                    continue
                if algorithm == "pdq" and part.quality[row] < settings.PDQ_MIN_QUALITY:
                    continue
                key = (query, file_id)
                closest[key] = min(distance, closest.get(key, distance))
        found[algorithm] = sorted((query, file_id, distance) for (query, file_id), distance in closest.items())
    return found
