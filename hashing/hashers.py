"""Hash functions over streams. Plain Python: no Django here."""

import hashlib
from collections.abc import Callable
from typing import BinaryIO

CHUNK = 1 << 20
ALGORITHMS = ("md5", "sha1", "sha256")
DIGEST_SIZES = {"md5": 16, "sha1": 20, "sha256": 32}

# The empty file's digests appear on real lists; they must never count as a match.
EMPTY_DIGESTS = frozenset(hashlib.new(name, b"").digest() for name in ALGORITHMS)


def digest_stream(
    stream: BinaryIO,
    algorithms: tuple[str, ...] = ALGORITHMS,
    chunk: int = CHUNK,
    on_block: Callable[[bytes], None] | None = None,
) -> tuple[dict[str, bytes], int]:
    """Read ``stream`` once, feeding every algorithm; return the digests and the byte count.

    ``on_block`` sees each block too (to sniff a file type from the first one, for instance).
    """
    return digest_chunks(iter(lambda: stream.read(chunk), b""), algorithms, on_block)


def digest_chunks(
    chunks, algorithms: tuple[str, ...] = ALGORITHMS, on_block: Callable[[bytes], None] | None = None
) -> tuple[dict[str, bytes], int]:
    """As ``digest_stream``, over an iterable of byte blocks (a file read out of a disk image)."""
    hashers = [hashlib.new(name) for name in algorithms]
    size = 0
    for block in chunks:
        size += len(block)
        for hasher in hashers:
            hasher.update(block)
        if on_block is not None:
            on_block(block)
    return {name: hasher.digest() for name, hasher in zip(algorithms, hashers, strict=True)}, size


def algorithm_for_hex(text: str | bytes) -> str | None:
    """The cryptographic algorithm a hex digest belongs to, by its length, or None."""
    return {32: "md5", 40: "sha1", 64: "sha256"}.get(len(text))
