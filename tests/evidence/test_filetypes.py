"""Typing by content: the signatures checked without libmagic give libmagic's own answer."""

import io

import magic
from PIL import Image

from evidence.ingest.filetypes import SIGNATURES, SNIFF_BYTES, mime_of
from evidence.synthetic import synthetic_image, synthetic_image_bytes


def gif(version: bytes) -> bytes:
    out = io.BytesIO()
    synthetic_image(4, size=(160, 120)).convert("P").save(out, format="GIF")
    return version + out.getvalue()[6:]


def test_each_signature_gives_what_libmagic_says_of_the_same_bytes():
    samples = {
        "jpeg": synthetic_image_bytes(3),
        "jpeg, truncated": synthetic_image_bytes(3)[:40],
        "gif 87a": gif(b"GIF87a"),
        "gif 89a": gif(b"GIF89a"),
    }
    for name, content in samples.items():
        head = content[:SNIFF_BYTES]
        assert mime_of(head) == magic.from_buffer(head, mime=True), name
    assert {mime for _, mime in SIGNATURES} == {"image/jpeg", "image/gif"}


def test_anything_else_is_typed_by_libmagic():
    png = io.BytesIO()
    Image.new("RGB", (4, 4)).save(png, format="PNG")
    assert mime_of(png.getvalue()) == "image/png"
    assert mime_of(b"hello, a note\n") == "text/plain"
    assert mime_of(b"") == "application/x-empty"
