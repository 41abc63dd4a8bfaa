"""A minimal writer of Compound File Binary files (the OLE2 container of Outlook's .msg and old
Office files, [MS-CFB] version 3): a tree of storages and streams written into one file.

Used to rebuild an Outlook message attached to another one (it is a storage inside the outer file,
not a file of its own) as a .msg that any tool reads, and to write benign .msg files for the demo
and the tests. Plain Python: no Django here.

A tree is a dict: a name mapped to bytes (a stream) or to a dict (a storage).
"""

import struct

SECTOR = 512
MINI_SECTOR = 64
MINI_CUTOFF = 4096
FREE, END_OF_CHAIN, FAT_SECTOR, DIFAT_SECTOR, NO_STREAM = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD, 0xFFFFFFFC, 0xFFFFFFFF
ENTRIES_PER_SECTOR = SECTOR // 128
IDS_PER_SECTOR = SECTOR // 4
HEADER_FAT_SECTORS = 109  # FAT sectors the header lists; DIFAT sectors list the others, 127 each


class _Entry:
    def __init__(self, name: str, content: "bytes | dict"):
        self.name, self.content = name, content
        self.children: list[_Entry] = []
        self.left = self.right = self.child = NO_STREAM
        self.start, self.size = END_OF_CHAIN, 0

    @property
    def is_storage(self) -> bool:
        return isinstance(self.content, dict)


def _order(name: str) -> tuple[int, str]:
    """[MS-CFB]'s order of siblings: shorter names first, then by upper-cased name."""
    return len(name), name.upper()


def _flatten(root: _Entry) -> list[_Entry]:
    entries, pending = [root], [root]
    while pending:
        storage = pending.pop(0)
        storage.children = [_Entry(name, content) for name, content in sorted(storage.content.items())]
        storage.children.sort(key=lambda entry: _order(entry.name))
        first = len(entries)
        entries.extend(storage.children)
        # Siblings chained to the right, all black: a valid red-black tree, if not a balanced one.
        if storage.children:
            storage.child = first
            for offset in range(len(storage.children) - 1):
                storage.children[offset].right = first + offset + 1
        pending.extend(child for child in storage.children if child.is_storage)
    return entries


def _chain(fat: list[int], start: int, count: int) -> None:
    for index in range(start, start + count):
        fat[index] = index + 1 if index + 1 < start + count else END_OF_CHAIN


def _directory_entry(entry: _Entry, kind: int) -> bytes:
    name = entry.name.encode("utf-16-le")[:62] + b"\0\0"
    return struct.pack(
        "<64sHBBIII16sIQQIII",
        name,
        len(name),
        kind,
        1,  # black
        entry.left,
        entry.right,
        entry.child,
        b"\0" * 16,
        0,
        0,
        0,
        entry.start,
        entry.size,
        0,
    )


def _padded(ids: list[int], count: int) -> list[int]:
    return ids + [FREE] * (count - len(ids))


def _sectors(size: int, unit: int) -> int:
    return -(-size // unit)


def cfb_bytes(tree: dict) -> bytes:
    """The compound file holding ``tree``. Streams under 4096 bytes go to the mini stream, as the
    format requires."""
    root = _Entry("Root Entry", tree)
    entries = _flatten(root)
    streams = [entry for entry in entries if not entry.is_storage]
    mini = bytearray()
    mini_fat: list[int] = []
    big = bytearray()
    big_chains: list[tuple[int, int]] = []  # (first sector relative to the big streams, count)
    for entry in streams:
        data = entry.content
        entry.size = len(data)
        if not data:
            entry.start = END_OF_CHAIN
        elif len(data) < MINI_CUTOFF:
            count = _sectors(len(data), MINI_SECTOR)
            entry.start = len(mini_fat)
            mini_fat.extend(range(entry.start + 1, entry.start + count))
            mini_fat.append(END_OF_CHAIN)
            mini += data.ljust(count * MINI_SECTOR, b"\0")
        else:
            count = _sectors(len(data), SECTOR)
            big_chains.append((len(big) // SECTOR, count))
            entry.start = len(big) // SECTOR  # made absolute below
            big += data.ljust(count * SECTOR, b"\0")
    directory_sectors = _sectors(len(entries), ENTRIES_PER_SECTOR)
    mini_fat_sectors = _sectors(len(mini_fat) * 4, SECTOR)
    mini_stream_sectors = _sectors(len(mini), SECTOR)
    data_sectors = directory_sectors + mini_fat_sectors + mini_stream_sectors + len(big) // SECTOR
    fat_sectors, difat_sectors = 1, 0
    while fat_sectors * IDS_PER_SECTOR < fat_sectors + difat_sectors + data_sectors:
        fat_sectors += 1
        difat_sectors = _sectors(max(0, fat_sectors - HEADER_FAT_SECTORS), IDS_PER_SECTOR - 1)
    fat = [FREE] * (fat_sectors * IDS_PER_SECTOR)
    fat[:fat_sectors] = [FAT_SECTOR] * fat_sectors
    fat[fat_sectors : fat_sectors + difat_sectors] = [DIFAT_SECTOR] * difat_sectors
    directory_start = fat_sectors + difat_sectors
    _chain(fat, directory_start, directory_sectors)
    mini_fat_start = directory_start + directory_sectors
    _chain(fat, mini_fat_start, mini_fat_sectors)
    mini_stream_start = mini_fat_start + mini_fat_sectors
    _chain(fat, mini_stream_start, mini_stream_sectors)
    big_start = mini_stream_start + mini_stream_sectors
    for first, count in big_chains:
        _chain(fat, big_start + first, count)
    for entry in streams:
        if len(entry.content) >= MINI_CUTOFF:
            entry.start += big_start
    root.start, root.size = (mini_stream_start, len(mini)) if mini else (END_OF_CHAIN, 0)

    header = struct.pack(
        "<8s16sHHHHH6sIIIIIIIII",
        bytes.fromhex("D0CF11E0A1B11AE1"),
        b"\0" * 16,
        0x003E,
        3,
        0xFFFE,
        9,
        6,
        b"\0" * 6,
        0,
        fat_sectors,
        directory_start,
        0,
        MINI_CUTOFF,
        mini_fat_start if mini_fat_sectors else END_OF_CHAIN,
        mini_fat_sectors,
        fat_sectors if difat_sectors else END_OF_CHAIN,
        difat_sectors,
    )
    listed = list(range(fat_sectors))
    header += struct.pack(f"<{HEADER_FAT_SECTORS}I", *_padded(listed[:HEADER_FAT_SECTORS], HEADER_FAT_SECTORS))
    difat = bytearray()
    rest = listed[HEADER_FAT_SECTORS:]
    for number in range(difat_sectors):
        ids = _padded(rest[number * 127 : (number + 1) * 127], 127)
        following = fat_sectors + number + 1 if number + 1 < difat_sectors else END_OF_CHAIN
        difat += struct.pack("<128I", *ids, following)
    directory = b"".join(
        _directory_entry(entry, 5 if entry is root else 1 if entry.is_storage else 2) for entry in entries
    )
    directory = directory.ljust(directory_sectors * SECTOR, b"\0")
    # Unused directory slots: empty entries with no siblings, as the format asks.
    unused = directory_sectors * ENTRIES_PER_SECTOR - len(entries)
    directory = directory[: len(entries) * 128] + (b"\0" * 68 + b"\xff" * 12 + b"\0" * 48) * unused
    mini_fat_bytes = struct.pack(f"<{len(mini_fat)}I", *mini_fat).ljust(mini_fat_sectors * SECTOR, b"\xff")
    return b"".join(
        (
            header,
            struct.pack(f"<{len(fat)}I", *fat),
            bytes(difat),
            directory,
            mini_fat_bytes,
            bytes(mini).ljust(mini_stream_sectors * SECTOR, b"\0"),
            bytes(big),
        )
    )
