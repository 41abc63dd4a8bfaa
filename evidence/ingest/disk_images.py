"""Disk images (raw/dd, E01 and split E01..E0n, VMDK): partitions, file systems, files, deleted ones too.

Plain Python: no Django here. The Sleuth Kit (pytsk3) reads MBR/GPT partition tables and NTFS,
FAT, exFAT and ext2/3/4; libewf (pyewf) reads Expert Witness files and libvmdk (pyvmdk) VMware
disks, which pytsk3 cannot open by itself. The image is only ever read. Here: what kind of image a
file is, opening it (damage filled or refused), reading it whole; its partitions, file systems and
files are in ``evidence.ingest.disk_files``.
"""

import hashlib
import os
from dataclasses import dataclass

import pyewf
import pytsk3
import pyvmdk

from config.messages import Message, MessageError, message

EWF_MAGIC = b"EVF\x09\x0d\x0a\xff\x00"
VMDK_MAGIC = b"KDMV"  # a sparse VMDK (monolithic, split or stream-optimised): the header of its extent
HEAD_BYTES = 4096
# pytsk3 turns an exception raised in our Img_Info.read (a cut or missing segment) into RuntimeError.
IMAGE_ERRORS = (OSError, RuntimeError)


class ImageReadError(MessageError, OSError):
    """A read of an image that failed, with where (a message, config.messages): an OSError, as the
    library's own errors are to its callers."""


CHUNK = 1 << 20
# A damaged read, listing the files (``_LibraryImage.fill_damage``), is tried again in pieces of this
# many bytes (an E01 chunk's usual size), so that one bad chunk does not hide its sound neighbours.
DAMAGE_PIECE = 32 * 1024
DAMAGE_KEPT = 100
DAMAGE_REASON_CHARACTERS = 300


def image_kind(head: bytes) -> str:
    """'e01', 'vmdk', 'raw' (partition table or file system at offset 0) or '' from a file's first 4 KiB."""
    if head.startswith(EWF_MAGIC):
        return "e01"
    if head.startswith(VMDK_MAGIC):
        return "vmdk"
    if len(head) >= 512 and head[510:512] == b"\x55\xaa":
        return "raw"  # MBR, or a FAT/NTFS/exFAT boot sector
    if head[512:520] == b"EFI PART" or head[1080:1082] == b"\x53\xef":
        return "raw"  # GPT header, ext2/3/4 superblock magic
    return ""


def ewf_segment_number(head: bytes) -> int:
    """The number an Expert Witness segment file carries in its header (1 for .E01, 2 for .E02...), or
    0 for a file that is not one. Read from the content: seized segments are not always named .E0n."""
    if not head.startswith(EWF_MAGIC) or len(head) < 11:
        return 0
    return int.from_bytes(head[9:11], "little")


def image_to_expand(head: bytes) -> bool:
    """Is the file whose first bytes are ``head`` a disk image whose files are to be listed? A later
    segment of a split E01 is not: it is read with its first segment, as the one image they make."""
    return bool(image_kind(head)) and ewf_segment_number(head) <= 1


@dataclass
class Damage:
    """Where an image could not be read: ``size`` bytes from byte ``offset``, and the first reason."""

    offset: int
    size: int
    reason: str


class _LibraryImage(pytsk3.Img_Info):
    """A container format read by a libyal library (``_handle``) and seen by The Sleuth Kit.

    A read that fails (a missing or cut segment, a damaged chunk) raises, unless ``fill_damage``:
    then what cannot be read is given as zeros, piece by piece, and noted in ``damage``. Only
    listing the files uses that: The Sleuth Kit gives up a whole volume system, or a file system,
    when one sector it probes cannot be read (the disk's last; sectors all over the image when it
    guesses a file system's type), though the partitions before the damage are sound. Files' bytes
    are always read strictly (``ImageReader``): a file stored where the image is damaged is
    recorded as unreadable, never hashed as zeros.
    """

    _handle = None
    fill_damage = False

    def close(self):
        self._handle.close()

    def read(self, offset, size):
        try:
            return self._read(offset, size)
        except IMAGE_ERRORS as error:
            if not self.fill_damage:
                raise ImageReadError(message("disk.read_error", offset=offset, reason=str(error))) from error
        return b"".join(
            self._read_or_zeros(start, min(DAMAGE_PIECE, offset + size - start))
            for start in range(offset, min(offset + size, self.get_size()), DAMAGE_PIECE)
        )

    def _read(self, offset, size):
        self._handle.seek(offset)
        return self._handle.read(size)

    def _read_or_zeros(self, offset, size):
        try:
            return self._read(offset, size)
        except IMAGE_ERRORS as error:
            self._note_damage(offset, size, str(error))
            return b"\0" * size

    def _note_damage(self, offset: int, size: int, reason: str) -> None:
        """Keep the unreadable ranges merged (The Sleuth Kit reads the same sectors again and again)."""
        for damage in self.damage:
            if damage.offset <= offset + size and offset <= damage.offset + damage.size:
                end = max(damage.offset + damage.size, offset + size)
                damage.offset = min(damage.offset, offset)
                damage.size = end - damage.offset
                return
        if len(self.damage) < DAMAGE_KEPT:
            self.damage.append(Damage(offset, size, reason[:DAMAGE_REASON_CHARACTERS]))
            self.damage.sort(key=lambda damage: damage.offset)

    def get_size(self):
        return self._handle.get_media_size()


class EwfImage(_LibraryImage):
    """An E01 (and its segments E02...) seen by The Sleuth Kit through libewf."""

    def __init__(self, path: str):
        self.damage: list[Damage] = []
        self._handle = pyewf.handle()
        self._handle.open(pyewf.glob(path))
        super().__init__(url="", type=pytsk3.TSK_IMG_TYPE_EXTERNAL)

    def stored_hashes(self) -> dict[str, str]:
        """The acquisition hashes the E01 carries (lowercase hex), e.g. {'md5': ..., 'sha1': ...}."""
        found = {}
        for name in ("MD5", "SHA1", "SHA256"):
            try:
                value = self._handle.get_hash_value(name)
            except IMAGE_ERRORS:
                value = None
            if value:
                found[name.lower()] = value.lower()
        return found


class VmdkImage(_LibraryImage):
    """A VMware disk (sparse VMDK) seen by The Sleuth Kit through libvmdk."""

    def __init__(self, path: str):
        self.damage: list[Damage] = []
        self._handle = pyvmdk.handle()
        self._handle.open(path)
        self._handle.open_extent_data_files()
        super().__init__(url="", type=pytsk3.TSK_IMG_TYPE_EXTERNAL)


def open_image(path: str | bytes, *, fill_damage: bool = False) -> pytsk3.Img_Info:
    """The image at ``path``; ``fill_damage``: to list its files, see ``_LibraryImage`` (a raw image
    cut short is read as far as it goes by The Sleuth Kit itself)."""
    with open(path, "rb") as stream:
        head = stream.read(HEAD_BYTES)
    kind = image_kind(head)
    if kind == "raw" or kind == "":
        return pytsk3.Img_Info(os.fsdecode(path))
    image = EwfImage(os.fsdecode(path)) if kind == "e01" else VmdkImage(os.fsdecode(path))
    image.fill_damage = fill_damage
    return image


def damage_of(image: pytsk3.Img_Info) -> list[Damage]:
    """Where listing ``image``'s files found it unreadable (``open_image(fill_damage=True)``)."""
    return list(getattr(image, "damage", ()))


@dataclass
class MediaRead:
    """The media of an image read once from start to end (for acquisition verification)."""

    size: int  # what the image says the media holds, in bytes
    read: int = 0  # how many of those bytes could be read
    digests: dict[str, str] | None = None  # lowercase hex, when the media was read to its end
    stored: dict[str, str] | None = None  # the hashes an E01 carries
    error: Message | str = ""  # config.messages


def read_media(path: str | bytes, should_stop=lambda: False, chunk: int = 4 * CHUNK) -> MediaRead | None:
    """Hash the image's media (the disk's bytes, as the acquiring tool hashed them) in one pass.

    Returns None if ``should_stop()`` became true on the way (checked every ``chunk`` bytes).
    """
    image = open_image(path)
    try:
        result = MediaRead(size=image.get_size())
        if isinstance(image, EwfImage):
            result.stored = image.stored_hashes()
        hashers = {name: hashlib.new(name) for name in ("md5", "sha1", "sha256")}
        while result.read < result.size:
            if should_stop():
                return None
            try:
                block = image.read(result.read, min(chunk, result.size - result.read))
            except IMAGE_ERRORS as error:
                result.error = message("disk.media_read_error", offset=result.read, reason=str(error))
                return result
            if not block:
                result.error = message("disk.media_ends", read=result.read, size=result.size)
                return result
            for hasher in hashers.values():
                hasher.update(block)
            result.read += len(block)
        result.digests = {name: hasher.hexdigest() for name, hasher in hashers.items()}
        return result
    finally:
        image.close()
