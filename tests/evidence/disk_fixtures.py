"""Disk images built at test time with Debian's tools (dosfstools, mtools, e2fsprogs, ewf-tools)."""

import shutil
import struct
import subprocess
from pathlib import Path

import pytest

needs_tools = pytest.mark.skipif(
    not all(shutil.which(tool) for tool in ("mkfs.fat", "mcopy", "mdel", "mkfs.ext4", "debugfs", "ewfacquire")),
    reason="disk-image tools missing: `make test` installs dosfstools, mtools, e2fsprogs and ewf-tools",
)


def run(*command: str) -> None:
    subprocess.run(command, check=True, capture_output=True, timeout=120)


def fat_image(path: Path, files: dict[str, bytes], deleted: dict[str, bytes] = (), size_kib: int = 8192) -> Path:
    """A FAT file system with ``files``; ``deleted`` are written then deleted (still recoverable)."""
    run("mkfs.fat", "-C", str(path), str(size_kib))
    staging = path.parent / f"{path.name}.staging"
    staging.mkdir()
    for name, content in {**files, **dict(deleted)}.items():
        folder = "/".join(name.split("/")[:-1])
        if folder:
            subprocess.run(["mmd", "-D", "s", "-i", str(path), f"::/{folder}"], capture_output=True)
        local = staging / name.replace("/", "_")
        local.write_bytes(content)
        run("mcopy", "-i", str(path), str(local), f"::/{name}")
    for name in dict(deleted):
        run("mdel", "-i", str(path), f"::/{name}")
    shutil.rmtree(staging)
    return path


def ext4_image(path: Path, files: dict[str, bytes], deleted: tuple[str, ...] = (), size_mib: int = 16) -> Path:
    source = path.parent / f"{path.name}.source"
    for name, content in files.items():
        (source / name).parent.mkdir(parents=True, exist_ok=True)
        (source / name).write_bytes(content)
    run("mkfs.ext4", "-q", "-F", "-d", str(source), str(path), f"{size_mib}M")
    for name in deleted:
        run("debugfs", "-w", "-R", f"rm /{name}", str(path))
    shutil.rmtree(source)
    return path


def partitioned(path: Path, file_system: Path, partition_type: int = 0x0C) -> Path:
    """An MBR disk with one partition at sector 2048 holding ``file_system``."""
    data = file_system.read_bytes()
    sectors = len(data) // 512
    entry = struct.pack("<B3sB3sII", 0, b"\x00\x02\x00", partition_type, b"\xff\xff\xff", 2048, sectors)
    mbr = bytearray(512)
    mbr[446:462] = entry
    mbr[510:512] = b"\x55\xaa"
    with path.open("wb") as out:
        out.write(mbr)
        out.write(b"\x00" * (2048 * 512 - 512))
        out.write(data)
    return path


def mbr_disk(path: Path, *file_systems: Path, bad_entry: int | None = None) -> Path:
    """An MBR disk with one primary partition per file system, from sector 2048, back to back.

    ``bad_entry`` (1 to 4): that entry of the table starts past the end of the disk instead, and
    the partitions take the other entries in order.
    """
    starts, start = [], 2048
    for file_system in file_systems:
        starts.append((start, file_system.stat().st_size // 512))
        start += file_system.stat().st_size // 512
    if bad_entry is not None:
        starts.insert(bad_entry - 1, (start + 1_000_000, 2048))
    mbr = bytearray(512)
    for index, (first, count) in enumerate(starts):
        mbr[446 + 16 * index : 462 + 16 * index] = struct.pack(
            "<B3sB3sII", 0, b"\x00\x02\x00", 0x0C, b"\xff\xff\xff", first, count
        )
    mbr[510:512] = b"\x55\xaa"
    with path.open("wb") as out:
        out.write(mbr)
        out.write(b"\x00" * (2048 * 512 - 512))
        for file_system in file_systems:
            out.write(file_system.read_bytes())
    return path


def e01(path_without_extension: Path, raw: Path, segment_bytes: int | None = None) -> Path:
    command = ["ewfacquire", "-u", "-t", str(path_without_extension), "-d", "sha1"]
    if segment_bytes:
        command += ["-S", str(segment_bytes)]
    run(*command, str(raw))
    return path_without_extension.with_suffix(".E01")


needs_more_tools = pytest.mark.skipif(
    not all(shutil.which(tool) for tool in ("qemu-img", "sgdisk", "mkfs.ntfs", "ntfscp", "mkfs.exfat")),
    reason="disk-image tools missing: `make test` installs qemu-utils, gdisk, ntfs-3g and exfatprogs",
)


def vmdk(path: Path, raw: Path) -> Path:
    run("qemu-img", "convert", "-f", "raw", "-O", "vmdk", str(raw), str(path))
    return path


def ntfs_image(path: Path, files: dict[str, bytes], deleted: dict[str, bytes] = (), size_mib: int = 16) -> Path:
    """An NTFS file system with ``files`` in its root; ``deleted`` have their MFT record marked unused.

    ntfs-3g has no tool to delete without mounting: the record's in-use flag (offset 0x16) is
    cleared, as Windows does; the name stays in the folder's index, the content in its clusters.
    """
    with path.open("wb") as out:
        out.truncate(size_mib << 20)
    run("mkfs.ntfs", "-F", "-Q", "-q", str(path))
    staging = path.parent / f"{path.name}.staging"
    staging.mkdir()
    for name, content in {**files, **dict(deleted)}.items():
        (staging / name).write_bytes(content)
        run("ntfscp", "-f", str(path), str(staging / name), f"/{name}")
    shutil.rmtree(staging)
    if deleted:
        data = bytearray(path.read_bytes())
        names = {name.encode("utf-16-le") for name in dict(deleted)}
        for offset in range(0, len(data), 1024):
            record = data[offset : offset + 1024]
            if record[:4] == b"FILE" and record[0x16] & 1 and any(name in record for name in names):
                data[offset + 0x16] &= 0xFE
        path.write_bytes(data)
    return path


def exfat_image(path: Path, files: dict[str, bytes], deleted: dict[str, bytes] = (), size_mib: int = 8) -> Path:
    from tests.evidence.exfat_writer import exfat_add_files

    with path.open("wb") as out:
        out.truncate(size_mib << 20)
    run("mkfs.exfat", str(path))
    exfat_add_files(path, files, deleted)
    return path


def gpt_disk(path: Path, *file_systems: Path) -> Path:
    """A GPT disk with one partition per file system, each starting on a 1 MiB boundary."""
    sectors = [-(-fs.stat().st_size // 512) for fs in file_systems]
    total = 2048 + sum(-(-count // 2048) * 2048 for count in sectors) + 2048
    with path.open("wb") as out:
        out.truncate(total * 512)
    start = 2048
    starts = []
    for number, count in enumerate(sectors, 1):
        run("sgdisk", "-n", f"{number}:{start}:{start + count - 1}", "-t", f"{number}:0700", str(path))
        starts.append(start)
        start += -(-count // 2048) * 2048
    with path.open("r+b") as out:
        for first, fs in zip(starts, file_systems, strict=True):
            out.seek(first * 512)
            out.write(fs.read_bytes())
    return path
