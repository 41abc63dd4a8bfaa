"""Disk images (raw/dd, E01 and split E01..E0n, VMDK): partitions, file systems, files, deleted ones too.

Plain Python: no Django here. The Sleuth Kit (pytsk3) reads MBR/GPT partition tables and NTFS,
FAT, exFAT and ext2/3/4; libewf (pyewf) reads Expert Witness files and libvmdk (pyvmdk) VMware
disks, which pytsk3 cannot open by itself. The image is only ever read. Every directory entry is
read in its own try/except, so one broken inode never stops the walk, and a directory seen twice (a
loop) is reported, not followed.
"""

import hashlib
import os
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

import pyewf
import pytsk3
import pyvmdk

from config.messages import Message, MessageError, message, reason_of
from evidence.ingest.mbr import MBR_NOT_A_FILE_SYSTEM, MBR_SECTOR, mbr_entries

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


@dataclass
class Layout:
    """Where an image's file systems are, and what was wrong with its partition table."""

    file_systems: list[tuple[int, str]]  # (byte offset, label)
    findings: list[Message]


def _file_system_at(image: pytsk3.Img_Info, offset: int) -> bool:
    try:
        pytsk3.FS_Info(image, offset=offset)
    except IMAGE_ERRORS:
        return False
    return True


def image_layout(image: pytsk3.Img_Info) -> Layout:
    """Every partition holding a file system The Sleuth Kit can read, and the partition table's faults.

    The Sleuth Kit rejects a whole MBR when one of its first two entries starts past the end of the
    image, losing the sound partitions beside it: the primary entries are then read one by one.
    """
    found: list[tuple[int, str]] = []
    try:
        volume = pytsk3.Volume_Info(image)
    except IMAGE_ERRORS:
        volume = None
    if volume is not None:
        block = volume.info.block_size
        for part in volume:
            if part.flags & pytsk3.TSK_VS_PART_FLAG_ALLOC and _file_system_at(image, part.start * block):
                found.append((part.start * block, f"partition{len(found) + 1}"))
    try:
        entries = mbr_entries(image.read(0, MBR_SECTOR))
    except IMAGE_ERRORS:
        entries = []
    sectors = image.get_size() // MBR_SECTOR
    bad = [entry for entry in entries if entry.start >= sectors]
    read_one_by_one = volume is None and bool(entries) and not _file_system_at(image, 0)
    if read_one_by_one:
        for entry in entries:
            offset = entry.start * MBR_SECTOR
            if entry in bad or entry.type in MBR_NOT_A_FILE_SYSTEM or not _file_system_at(image, offset):
                continue
            found.append((offset, f"partition{len(found) + 1}"))
    if not found and _file_system_at(image, 0):
        found.append((0, ""))
    # Boot code that happens to look like a table is not one: its "entries" are said only when
    # The Sleuth Kit took the table, or when one of its entries led to a file system.
    believed = (volume is not None and volume.info.vstype == pytsk3.TSK_VS_TYPE_DOS) or (
        read_one_by_one and any(offset for offset, _label in found)
    )
    code = "disk.partition_past_end_others_read" if read_one_by_one else "disk.partition_past_end"
    findings = [
        message(code, entry=entry.number, type=f"0x{entry.type:02x}", start=entry.start, sectors=sectors)
        for entry in (bad if believed else [])
    ]
    return Layout(found, findings)


@dataclass
class ImageFile:
    path: str
    offset: int  # of its file system in the image
    inode: int | None
    size: int = 0
    deleted: bool = False
    created: datetime | None = None
    modified: datetime | None = None
    accessed: datetime | None = None
    error: Message | str = ""  # config.messages
    # The Sleuth Kit's TSK_FS_TYPE of its file system: reading its files later opens that type only,
    # without probing every type (which reads all over the image: ``_LibraryImage``).
    file_system_type: int | None = None


def _time(seconds: int) -> datetime | None:
    return datetime.fromtimestamp(seconds, UTC) if seconds else None


def walk_image(image: pytsk3.Img_Info, shown: str, findings: list[Message] | None = None) -> Iterator[ImageFile]:
    """Every regular file of every file system in the image, allocated or deleted.

    ``findings``, if given, receives what is wrong with the image as a whole (its partition table).
    """
    layout = image_layout(image)
    if findings is not None:
        findings.extend(layout.findings)
    offsets = layout.file_systems
    if not offsets:
        yield ImageFile(shown, 0, None, error=message("disk.no_file_system"))
        return
    for offset, label in offsets:
        file_system = pytsk3.FS_Info(image, offset=offset)
        prefix = "/".join(part for part in (shown, label) if part)
        file_system_type = int(file_system.info.ftype)
        for found in _walk_directory(file_system, file_system.open_dir(path="/"), prefix, offset, set()):
            found.file_system_type = file_system_type
            yield found


def _walk_directory(file_system, directory, prefix, offset, seen: set[int], orphans=False) -> Iterator[ImageFile]:
    """``orphans``: this is The Sleuth Kit's $OrphanFiles, the deleted files no directory names any more."""
    for entry in directory:
        try:
            name = entry.info.name.name.decode("utf-8", errors="replace")
            if name in (".", ".."):
                continue
            path = f"{prefix}/{name}"
            name_type = entry.info.name.type
            meta = entry.info.meta
            if name_type == pytsk3.TSK_FS_NAME_TYPE_VIRT:
                continue  # The Sleuth Kit's own views ($MBR, $FAT1...), not files of the suspect
            deleted = bool(entry.info.name.flags & pytsk3.TSK_FS_NAME_FLAG_UNALLOC)
            if meta is None and orphans:
                # NTFS: a deleted file's MFT record survives; its orphan entry comes without it.
                meta = file_system.open_meta(inode=entry.info.name.meta_addr).info.meta
                if name.startswith("OrphanFile-") and meta.size == 0:
                    continue  # an unused record with neither name nor content: nothing to recover
                deleted = True
            if meta is None:
                yield ImageFile(
                    path,
                    offset,
                    None,
                    deleted=deleted,
                    error=message("disk.name_without_metadata"),
                )
                continue
            if meta.type == pytsk3.TSK_FS_META_TYPE_DIR or name_type == pytsk3.TSK_FS_NAME_TYPE_VIRT_DIR:
                if meta.addr in seen:
                    yield ImageFile(path, offset, meta.addr, error=message("disk.directory_loop"))
                    continue
                seen.add(meta.addr)
                yield from _walk_directory(
                    file_system,
                    entry.as_directory(),
                    path,
                    offset,
                    seen,
                    orphans=name_type == pytsk3.TSK_FS_NAME_TYPE_VIRT_DIR,
                )
            elif meta.type == pytsk3.TSK_FS_META_TYPE_REG:
                yield ImageFile(
                    path,
                    offset,
                    meta.addr,
                    size=meta.size,
                    deleted=deleted or bool(meta.flags & pytsk3.TSK_FS_META_FLAG_UNALLOC),
                    created=_time(meta.crtime),
                    modified=_time(meta.mtime),
                    accessed=_time(meta.atime),
                )
            elif meta.type == pytsk3.TSK_FS_META_TYPE_LNK:
                yield ImageFile(path, offset, meta.addr, error=message("disk.symlink"))
        except IMAGE_ERRORS as error:
            yield ImageFile(
                f"{prefix}/?", offset, None, error=message("disk.unreadable_entry", reason=reason_of(error))
            )


class ImageReader:
    """Reads files of disk images for one batch, keeping each image and file system open."""

    def __init__(self) -> None:
        self._images: dict = {}
        self._file_systems: dict = {}

    def read(
        self, image_path: str | bytes, offset: int, inode: int, file_system_type: int | None = None
    ) -> Iterator[bytes]:
        """The file's bytes, read strictly: raises OSError where the image cannot be read.

        ``file_system_type`` (``ImageFile.file_system_type``): the file system is opened as that
        type, reading only its own structures; without it (files listed before it was kept) every
        type is probed, and a damaged image may then refuse even its sound files.
        """
        if image_path not in self._images:
            self._images[image_path] = open_image(image_path)
        key = (image_path, offset)
        if key not in self._file_systems:
            image = self._images[image_path]
            self._file_systems[key] = (
                pytsk3.FS_Info(image, offset=offset)
                if file_system_type is None
                else pytsk3.FS_Info(image, offset=offset, type=file_system_type)
            )
        handle = self._file_systems[key].open_meta(inode=inode)
        size = handle.info.meta.size
        position = 0
        while position < size:
            block = handle.read_random(position, min(CHUNK, size - position))
            if not block:
                raise OSError(f"could only read {position:,} of {size:,} bytes (truncated image?)")
            position += len(block)
            yield block

    def close(self) -> None:
        for image in self._images.values():
            image.close()
        self._images.clear()
        self._file_systems.clear()

    def __enter__(self) -> "ImageReader":
        return self

    def __exit__(self, *exc) -> None:
        self.close()
