"""File type by content (libmagic); images are confirmed by decoding them (hashing.perceptual)."""

import os

import magic

SNIFF_BYTES = 8192
# Leading bytes whose libmagic answer never depends on what follows (tests hold them to libmagic's
# own answer): a photo is typed without asking libmagic, which costs ~10 us on a JPEG and up to
# ~350 us on content it does not recognise.
SIGNATURES = (
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
)

# Names that announce an image or a video. Only used to send a file's batch to the `media` queue
# at enumeration (before any byte is read); the type that counts is still sniffed from content,
# so a renamed photo hashed on an `ingest` worker gets its perceptual hashes and thumbnail all
# the same: routing moves work between hosts, it never changes a result.
MEDIA_EXTENSIONS = frozenset(
    """
    jpg jpeg jpe jfif pjpeg pjp png gif bmp dib tif tiff webp heic heif avif ico jp2 j2k jxl
    psd tga pcx ppm pgm pbm pnm dng cr2 cr3 nef arw orf rw2 raf srw
    mp4 m4v mov qt avi mkv webm wmv asf flv f4v mpg mpeg mpe m2v m2ts mts ts vob 3gp 3g2 ogv
    mxf rm rmvb divx dv
    """.split()
)


def is_media_name(path: str) -> bool:
    """True when the file's name says image or video (by extension, case-insensitive)."""
    extension = os.path.splitext(path)[1][1:].lower()
    return extension in MEDIA_EXTENSIONS


def mime_of(head: bytes) -> str:
    if not head:
        return "application/x-empty"
    for signature, mime in SIGNATURES:
        if head.startswith(signature):
            return mime
    return magic.from_buffer(head, mime=True)


# Types already found in this process, by content (SHA-256): the same bytes always get libmagic's
# same answer, and seized media repeat (the same system and application files on every computer
# of an operation). libmagic costs 0.2 to 1.5 ms on a small file, several times its hashing.
_BY_CONTENT: dict[bytes, str] = {}
BY_CONTENT_ENTRIES = 200_000  # ~30 MB; emptied when full


def mime_of_content(head: bytes, sha256: bytes) -> str:
    """``mime_of(head)`` for a whole content of which ``head`` is the start, asked once per content."""
    mime = _BY_CONTENT.get(sha256)
    if mime is None:
        mime = mime_of(head)
        if len(_BY_CONTENT) >= BY_CONTENT_ENTRIES:
            _BY_CONTENT.clear()
        _BY_CONTENT[sha256] = mime
    return mime
