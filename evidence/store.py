"""The content-addressed store: a blob's path is its SHA-256, and a blob is never modified."""

import hashlib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

CHUNK = 1 << 20


@dataclass(frozen=True)
class StoredBlob:
    path: Path
    sha256: bytes
    size: int


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
    except BaseException:
        if os.path.exists(temporary):
            os.unlink(temporary)
        raise
    return StoredBlob(path=final, sha256=digest.digest(), size=size)


def store_derived(root: Path, kind: str, name: str, content: bytes) -> str:
    """Keep a derived file (a thumbnail) under ``root/kind``; return its path relative to ``root``.

    Named after the evidence it comes from (its SHA-256), so the same content is derived once.
    """
    relative = f"{kind}/{name[:2]}/{name}"
    final = root / relative
    if not final.exists():
        final.parent.mkdir(parents=True, exist_ok=True)
        fd, temporary = tempfile.mkstemp(dir=final.parent, prefix=".incoming-")
        with os.fdopen(fd, "wb") as out:
            out.write(content)
        os.replace(temporary, final)
    return relative
