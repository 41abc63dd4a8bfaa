"""Writing files into an empty exFAT file system without mounting it (no FUSE, no root, no kernel driver).

exfatprogs makes the file system but has no copy tool: the entries are written here, by the book
(Microsoft exFAT specification: file, stream extension and file name entries with their checksums,
the allocation bitmap, contiguous clusters marked NoFatChain). A deleted file is an entry set whose
in-use bits are cleared and whose clusters are freed: its content stays, as on a real card.
"""

import struct
from pathlib import Path


def _rotate_add(value, byte):
    return ((((value << 15) | (value >> 1)) & 0xFFFF) + byte) & 0xFFFF


def exfat_add_files(path, files: dict[str, bytes], deleted: dict[str, bytes] = ()) -> None:
    """Add ``files`` (root folder, names of 15 characters at most), then ``deleted`` as deleted ones."""
    data = bytearray(Path(path).read_bytes())
    bps = 1 << data[0x6C]
    cluster = bps << data[0x6D]
    heap = struct.unpack_from("<I", data, 0x58)[0] * bps
    root = struct.unpack_from("<I", data, 0x60)[0]

    def at(c):
        return heap + (c - 2) * cluster

    # the allocation bitmap entry in the root directory
    r = at(root)
    bitmap = None
    slot = None
    for i in range(0, cluster, 32):
        kind = data[r + i]
        if kind == 0x81:
            bitmap = at(struct.unpack_from("<I", data, r + i + 20)[0])
        if kind == 0x00 and slot is None:
            slot = r + i
    count = struct.unpack_from("<I", data, 0x5C)[0]

    def free_run(n):
        run = 0
        for c in range(count):
            if data[bitmap + c // 8] >> (c % 8) & 1:
                run = 0
                continue
            run += 1
            if run == n:
                return c - n + 1 + 2
        raise ValueError("the exFAT test image is full")

    for name, content in {**files, **dict(deleted)}.items():
        n = max(1, -(-len(content) // cluster))
        first = free_run(n)
        for c in range(first, first + n):
            data[bitmap + (c - 2) // 8] |= 1 << ((c - 2) % 8)
        data[at(first) : at(first) + len(content)] = content
        units = name.encode("utf-16-le")
        assert len(name) <= 15
        name_hash = 0
        for b in name.upper().encode("utf-16-le"):
            name_hash = _rotate_add(name_hash, b)
        primary = bytearray(32)
        primary[0] = 0x85
        primary[1] = 2
        struct.pack_into("<H", primary, 4, 0x20)
        stamp = (46 << 25) | (1 << 21) | (1 << 16)  # 2026-01-01 00:00:00
        struct.pack_into("<III", primary, 8, stamp, stamp, stamp)
        stream = bytearray(32)
        stream[0] = 0xC0
        stream[1] = 0x03
        stream[3] = len(name)
        struct.pack_into("<HQ", stream, 4, name_hash, 0)
        struct.pack_into("<Q", stream, 8, len(content))
        struct.pack_into("<IQ", stream, 20, first, len(content))
        name_entry = bytearray(32)
        name_entry[0] = 0xC1
        name_entry[2 : 2 + len(units)] = units
        entries = primary + stream + name_entry
        checksum = 0
        for index, b in enumerate(entries):
            if index not in (2, 3):
                checksum = _rotate_add(checksum, b)
        struct.pack_into("<H", entries, 2, checksum)
        if name in dict(deleted):
            for k in range(0, 96, 32):
                entries[k] &= 0x7F  # the in-use bit cleared: a deleted entry set
            for c in range(first, first + n):
                data[bitmap + (c - 2) // 8] &= ~(1 << ((c - 2) % 8)) & 0xFF
        data[slot : slot + 96] = entries
        slot += 96
    Path(path).write_bytes(data)
