"""File type by content (libmagic); images are confirmed by decoding them (hashing.perceptual)."""

import magic

SNIFF_BYTES = 8192


def mime_of(head: bytes) -> str:
    if not head:
        return "application/x-empty"
    return magic.from_buffer(head, mime=True)
