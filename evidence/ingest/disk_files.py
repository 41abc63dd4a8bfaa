"""The file systems of an opened disk image: where they are (its partition table, or the MBR read by
hand when The Sleuth Kit gives up on it), their files listed, deleted ones too, and the bytes of a
file read for a batch.

Plain Python: no Django here. Every directory entry is read in its own try/except, so one broken
inode never stops the walk, and a directory seen twice (a loop) is reported, not followed.
"""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

import pytsk3

from config.messages import Message, message, reason_of
from evidence.ingest.disk_images import CHUNK, IMAGE_ERRORS, open_image
from evidence.ingest.mbr import MBR_NOT_A_FILE_SYSTEM, MBR_SECTOR, mbr_entries


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
