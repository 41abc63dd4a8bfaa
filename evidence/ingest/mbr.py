"""The master boot record's primary entries, read by hand (plain Python, no Django).

The Sleuth Kit reads partition tables itself, but rejects a whole MBR when one of its first two
entries is out of range (evidence.ingest.disk_files.image_layout): then each entry is read from here.
"""

from dataclasses import dataclass

# The master boot record's four primary entries: 16 bytes each from byte 446, the boot signature
# 0x55AA at 510. Types that hold no file system of their own: extended partitions (their logical
# partitions are in a chain of tables The Sleuth Kit reads) and GPT's protective entry.
MBR_ENTRIES_AT = 446
MBR_SECTOR = 512
MBR_NOT_A_FILE_SYSTEM = {0x00, 0x05, 0x0F, 0x85, 0xEE}


@dataclass
class MbrEntry:
    number: int  # 1 to 4, as partitioning tools number them
    type: int
    start: int  # in sectors of 512 bytes
    sectors: int


def mbr_entries(sector: bytes) -> list[MbrEntry]:
    """The used primary entries of a master boot record; none if ``sector`` does not look like one
    (no boot signature, or a boot flag other than 0x00/0x80: a file system's boot code, say)."""
    if len(sector) < MBR_SECTOR or sector[510:512] != b"\x55\xaa":
        return []
    entries = []
    for index in range(4):
        record = sector[MBR_ENTRIES_AT + 16 * index : MBR_ENTRIES_AT + 16 * (index + 1)]
        if record[0] not in (0x00, 0x80):
            return []
        start, sectors = int.from_bytes(record[8:12], "little"), int.from_bytes(record[12:16], "little")
        if record[4] and sectors:
            entries.append(MbrEntry(index + 1, record[4], start, sectors))
    return entries
