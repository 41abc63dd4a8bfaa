"""The perceptual indexes of the active list versions: built once per version, loaded once per worker.

An index is a file, or past ``nearest.FLAT_UP_TO`` entries a folder of memory-mapped .npy files (one
copy in the page cache for all the workers of a host), under DERIVED_ROOT/indexes/ (every web and
worker host mounts that store), with the HashEntry ids of its rows beside it. A version is
immutable once ready, so its index never changes: it is built when the version is activated (the
re-match task), or lazily by the first worker that needs it. Each process keeps the indexes of the
active versions in memory and loads them again only when the set of active versions changes.
"""

import logging
import threading
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from django.conf import settings

from hashing.models import HashEntry, HashListVersion
from hashing.nearest import HammingIndex, as_codes

log = logging.getLogger(__name__)
PERCEPTUAL = {"pdq": 256, "phash": 64}  # algorithm name -> bits
_lock = threading.Lock()
_cache: dict = {"key": None, "indexes": {}}


def search_radius() -> dict[str, int]:
    """How far each index is searched (and its tables planned for): the largest distance at which
    one hash alone makes a near or a possible match (hashing.near_matching.match_strength)."""
    return {
        "pdq": max(settings.PDQ_MATCH_DISTANCE, settings.POSSIBLE_PDQ_DISTANCE),
        "phash": max(settings.PHASH_MATCH_DISTANCE, settings.POSSIBLE_PHASH_DISTANCE),
    }


@dataclass(frozen=True)
class VersionIndex:
    version_id: int
    algorithm: str
    index: HammingIndex
    entry_ids: np.ndarray  # HashEntry ids, by index position


def index_path(version: HashListVersion, algorithm: str) -> Path:
    # The creation time makes the name unique even if a database is recreated and ids start over.
    # ".index" since exact multi-index hashing: a ".faiss" file of an earlier release (faiss multi-hash,
    # not exact at the threshold) is never loaded; the version's index is built again on first use.
    stamp = int(version.created_at.timestamp() * 1_000_000)
    return Path(settings.DERIVED_ROOT) / "indexes" / f"{version.pk}-{stamp}-{algorithm}.index"


def version_index_build(*, version: HashListVersion) -> dict[str, int]:
    """Write the version's perceptual indexes (one per algorithm, possibly empty); return their sizes."""
    sizes = {}
    for algorithm, bits in PERCEPTUAL.items():
        rows = HashEntry.objects.filter(version=version, algorithm=HashEntry.BY_NAME[algorithm]).order_by("pk")
        entry_ids, values = [], []
        for entry_id, value in rows.values_list("pk", "value").iterator(chunk_size=50_000):
            if len(value) == bits // 8:
                entry_ids.append(entry_id)
                values.append(value)
        path = index_path(version, algorithm)
        path.parent.mkdir(parents=True, exist_ok=True)
        ids_path = path.with_suffix(".ids.npy")
        partial = ids_path.with_name(ids_path.name + ".partial.npy")
        np.save(partial, np.asarray(entry_ids, dtype=np.int64))
        partial.replace(ids_path)
        # The index file is written last: its presence means both are complete.
        HammingIndex.build(as_codes(values, bits), radius=search_radius()[algorithm]).save(path)
        sizes[algorithm] = len(entry_ids)
    log.info("built the perceptual indexes of version %s: %s", version.pk, sizes)
    return sizes


def _load(version: HashListVersion) -> list[VersionIndex]:
    loaded = []
    for algorithm in PERCEPTUAL:
        path = index_path(version, algorithm)
        if not path.exists():
            version_index_build(version=version)
        loaded.append(
            VersionIndex(
                version.pk,
                algorithm,
                HammingIndex.load(path),
                np.load(path.with_suffix(".ids.npy"), mmap_mode="r"),
            )
        )
    return loaded


def active_indexes() -> list[VersionIndex]:
    """The perceptual indexes of every active version, from this process's cache (one small query)."""
    versions = list(HashListVersion.objects.filter(is_active=True, status=HashListVersion.Status.READY).order_by("pk"))
    root = str(settings.DERIVED_ROOT)
    keys = [(root, version.pk, version.created_at) for version in versions]
    with _lock:
        if _cache["key"] != keys:
            # Versions still active keep their loaded index; only a newly active one is read.
            _cache["indexes"] = {
                key: _cache["indexes"].get(key) or _load(version) for key, version in zip(keys, versions, strict=True)
            }
            _cache["key"] = keys
        return [index for loaded in _cache["indexes"].values() for index in loaded]
