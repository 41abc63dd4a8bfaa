"""The content-addressed store: a blob's path is its SHA-256, and a blob is never modified.

Uploads and derived files (thumbnails) live on a file system path every host mounts
(EVIDENCE_STORAGE=file, the default) or in an S3-compatible object store (EVIDENCE_STORAGE=s3),
under `evidence/` and `derived/` of one bucket. Either way they are reached only through this
module and served only through views that check access.
"""

import errno
import hashlib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import storages

CHUNK = 1 << 20
# How an upload kept in the object store is named as an ingest source (see evidence.ingest.sources).
STORED = "stored:"


# A full disk, or a full quota: the store's owner must free space; the work can be tried again.
FULL = (errno.ENOSPC, errno.EDQUOT)


class StoreFull(OSError):
    """The evidence store (or the derived store, or the upload folder) has no space left.

    Raised in place of ENOSPC/EDQUOT, after what was half written has been removed: no partial
    copy is ever left under a final name."""

    def __init__(self, where: str):
        super().__init__(errno.ENOSPC, f"evidence store full: no space left for {where}")


def _full(error: OSError) -> bool:
    return isinstance(error, OSError) and error.errno in FULL


@dataclass(frozen=True)
class StoredBlob:
    path: Path | None  # on the file system; None in the object store
    sha256: bytes
    size: int
    name: str = ""  # the object's key, in the object store

    @property
    def source(self) -> str:
        """What an ingest job reads: a path, or `stored:<key>`."""
        return f"{STORED}{self.name}" if self.path is None else str(self.path)


def object_store():
    """The S3-compatible store when EVIDENCE_STORAGE=s3, else None (the file system)."""
    return storages["evidence_objects"] if settings.EVIDENCE_STORAGE == "s3" else None


def store_stream(stream: BinaryIO, root: Path) -> StoredBlob:
    """Copy ``stream`` into ``root`` under its SHA-256 and make the copy read-only.

    Same content, same path: a second copy of a blob is dropped, the first one is kept untouched.
    """
    root.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    size = 0
    fd, temporary = tempfile.mkstemp(dir=root, prefix=".incoming-")
    try:
        with os.fdopen(fd, "wb") as out:
            while block := stream.read(CHUNK):
                digest.update(block)
                out.write(block)
                size += len(block)
        hex_digest = digest.hexdigest()
        final = root / hex_digest[:2] / hex_digest
        final.parent.mkdir(exist_ok=True)
        if final.exists():
            os.unlink(temporary)
        else:
            os.chmod(temporary, 0o444)
            os.replace(temporary, final)
    except BaseException as error:
        if os.path.exists(temporary):
            os.unlink(temporary)
        if _full(error):
            raise StoreFull("a copy in the evidence store") from error
        raise
    return StoredBlob(path=final, sha256=digest.digest(), size=size)


def store_upload(upload) -> StoredBlob:
    """Keep an uploaded file in the evidence store (EVIDENCE_ROOT, or `evidence/` of the bucket).

    ``upload`` must be seekable (Django's uploaded files are): it is read once to hash, once to store.
    """
    store = object_store()
    if store is None:
        return store_stream(upload, settings.EVIDENCE_ROOT)
    digest = hashlib.sha256()
    size = 0
    upload.seek(0)
    while block := upload.read(CHUNK):
        digest.update(block)
        size += len(block)
    hex_digest = digest.hexdigest()
    name = f"evidence/{hex_digest[:2]}/{hex_digest}"
    if not store.exists(name):
        upload.seek(0)
        store.save(name, upload)
    return StoredBlob(path=None, sha256=digest.digest(), size=size, name=name)


def open_stored(name: str) -> BinaryIO:
    """Open an object of the store for reading (seekable; large ones spool to a temporary file)."""
    return object_store().open(name, "rb")


def stored_size(name: str) -> int:
    return object_store().size(name)


def store_file(path: Path) -> StoredBlob:
    """Keep a finished chunked upload (``path``) in the evidence store, hashed here, read-only.

    ``path`` stays where it is: the caller removes it once the job that uses the copy is committed,
    so that a failure (a full store) leaves the upload whole and its finish can be tried again. On
    the file system the copy is a hard link when ``path`` lies on the same one as EVIDENCE_ROOT
    (no second copy of the bytes); otherwise (another file system, the object store) a copy.
    """
    if object_store() is not None:
        with path.open("rb") as stream:
            return store_upload(stream)
    root = settings.EVIDENCE_ROOT
    digest = hashlib.sha256()
    size = 0
    with path.open("rb") as stream:
        while block := stream.read(CHUNK):
            digest.update(block)
            size += len(block)
    hex_digest = digest.hexdigest()
    final = root / hex_digest[:2] / hex_digest
    final.parent.mkdir(parents=True, exist_ok=True)
    if final.exists():
        return StoredBlob(path=final, sha256=digest.digest(), size=size)
    os.chmod(path, 0o444)
    try:
        os.link(path, final)
    except FileExistsError:
        pass  # the same content, stored meanwhile by another upload
    except OSError as error:
        if error.errno not in (errno.EXDEV, errno.EPERM, errno.EMLINK):
            raise
        with path.open("rb") as stream:
            return store_stream(stream, root)
    return StoredBlob(path=final, sha256=digest.digest(), size=size)


def store_derived(root: Path, kind: str, name: str, content: bytes) -> str:
    """Keep a derived file (a thumbnail) under ``root/kind``; return its path relative to ``root``.

    Named after the evidence it comes from (its SHA-256), so the same content is derived once.
    In the object store, ``root`` is `derived/` of the bucket.
    """
    relative = f"{kind}/{name[:2]}/{name}"
    store = object_store()
    if store is not None:
        if not store.exists(f"derived/{relative}"):
            store.save(f"derived/{relative}", ContentFile(content))
        return relative
    final = root / relative
    if not final.exists():
        try:
            final.parent.mkdir(parents=True, exist_ok=True)
            fd, temporary = tempfile.mkstemp(dir=final.parent, prefix=".incoming-")
        except OSError as error:
            if _full(error):
                raise StoreFull("a derived file (thumbnail)") from error
            raise
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(content)
            os.replace(temporary, final)
        except BaseException as error:
            if os.path.exists(temporary):
                os.unlink(temporary)
            if _full(error):
                raise StoreFull("a derived file (thumbnail)") from error
            raise
    return relative


def derived_exists(relative: str) -> bool:
    store = object_store()
    return store.exists(f"derived/{relative}") if store is not None else (settings.DERIVED_ROOT / relative).exists()


def read_derived(relative: str) -> bytes:
    """The content of a derived file (FileNotFoundError if it is gone)."""
    store = object_store()
    if store is None:
        return (settings.DERIVED_ROOT / relative).read_bytes()
    with store.open(f"derived/{relative}", "rb") as stream:
        return stream.read()


def check_writable() -> None:
    """Raise OSError unless the evidence and derived stores can be written (the health check)."""
    store = object_store()
    if store is None:
        for root in (settings.EVIDENCE_ROOT, settings.DERIVED_ROOT):
            root.mkdir(parents=True, exist_ok=True)
            with tempfile.NamedTemporaryFile(dir=root, prefix=".health-"):
                pass
        return
    try:
        name = store.save("derived/.health/probe", ContentFile(b"ok"))
        store.delete(name)
    except Exception as error:  # noqa: BLE001 - botocore's errors are many; all mean "not usable"
        raise OSError(f"object store: {error.__class__.__name__}") from error
