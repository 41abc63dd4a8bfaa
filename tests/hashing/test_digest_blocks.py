"""Bare digests stored as packed, sorted buckets (DigestBlock): counts, lookups, diffs, and nothing half kept."""

import io
import os

import numpy as np
import pytest
from django.urls import reverse

from config.messages import english
from hashing import digestsets, importers
from hashing.importers import hash_list_version_import
from hashing.listformats import Malformed, text
from hashing.models import DigestBlock, HashEntry, HashListVersion
from hashing.selectors import active_matches, version_diff_rows
from hashing.services import hash_list_version_create
from tests.factories import stored_digests


def import_lines(admin, lines: list[bytes | str], name: str = "Blocks") -> HashListVersion:
    content = b"".join((line if isinstance(line, bytes) else line.encode()) + b"\n" for line in lines)
    version = hash_list_version_create(
        name=name, kind="alert", stream=io.BytesIO(content), file_name="list.txt", by=admin, default_category="1",
    )  # fmt: skip
    return hash_list_version_import(version=version)


# Pure functions (no database)


def test_sorted_unique_counts_duplicates_and_keeps_trailing_zero_bytes():
    values = [b"\x12\x34" + b"\x00" * 14, b"\x12\x34" + b"\x00" * 13 + b"\x01", b"\x12\x34" + b"\x00" * 14]
    unique = digestsets.sorted_unique(digestsets.as_array(values, 16))
    assert digestsets.as_bytes(unique) == sorted(set(values))  # full 16 bytes, zeros kept
    assert len(values) - len(unique) == 1


LAST_PREFIX = (1 << digestsets.PREFIX_BITS) - 1


def edge(prefix: int, width: int, *, last: bool = False, step: int = 0) -> bytes:
    """The first (or last) digest there can be in bucket ``prefix``, moved ``step`` down or up."""
    span = 1 << digestsets.PREFIX_SHIFT
    head = (prefix * span + (span - 1 if last else 0)).to_bytes(3, "big")
    value = int.from_bytes(head + (b"\xff" if last else b"\x00") * (width - 3), "big") + step
    return value.to_bytes(width, "big")


def test_buckets_split_on_the_first_bits_and_bisect_finds_their_first_and_last_digest():
    values = sorted({edge(0, 20), edge(0, 20, last=True), edge(1, 20), edge(LAST_PREFIX, 20, last=True)})
    buckets = list(digestsets.buckets(digestsets.sorted_unique(digestsets.as_array(values, 20))))
    assert [(prefix, count) for prefix, count, _ in buckets] == [(0, 2), (1, 1), (LAST_PREFIX, 1)]
    assert [digestsets.prefix_of(value) for value in values] == [0, 0, 1, LAST_PREFIX]
    first = buckets[0][2]
    assert digestsets.bucket_contains(first, values[0]) and digestsets.bucket_contains(first, values[1])
    assert not digestsets.bucket_contains(first, edge(0, 20, step=1))  # control: between the two


def test_every_digest_lands_in_the_bucket_of_its_prefix():
    values = digestsets.sorted_unique(digestsets.as_array([os.urandom(20) for _ in range(5000)], 20))
    buckets = list(digestsets.buckets(values))
    assert sum(count for _, count, _ in buckets) == 5000
    for prefix, count, packed in buckets:
        assert len(packed) == count * 20
        assert {digestsets.prefix_of(packed[start : start + 20]) for start in range(0, len(packed), 20)} == {prefix}


def test_the_difference_of_two_versions_is_exact_even_where_digests_share_their_first_bytes():
    head = os.urandom(8)
    shared = [head + bytes([n]) + os.urandom(7) for n in range(0, 200, 2)]  # one head, a hundred digests
    left = [*shared[::2], *(os.urandom(16) for _ in range(300))]
    right = [*shared[1::3], *shared[::4], *left[60:200]]
    only_left, only_right = digestsets.difference(
        digestsets.sorted_unique(digestsets.as_array(left, 16)),
        digestsets.sorted_unique(digestsets.as_array(right, 16)),
    )
    assert digestsets.as_bytes(only_left) == sorted(set(left) - set(right))
    assert digestsets.as_bytes(only_right) == sorted(set(right) - set(left))
    kept = digestsets.without(digestsets.sorted_unique(digestsets.as_array(left, 16)), digestsets.as_array(right, 16))
    assert digestsets.as_bytes(kept) == sorted(set(left) - set(right))


def test_a_block_with_a_space_inside_a_line_is_read_line_by_line():
    good = "ab" * 16
    block = (good + "\n" + "ab cd" + "ef" * 13 + "0\n").encode()  # 32 characters, one a space
    items = list(text.parse_plain_runs(io.BytesIO(block)))
    assert not any(isinstance(item, text.Run) for item in items)
    assert isinstance(items[1], Malformed) and items[1].line == 2  # the rules of parse_plain, line by line
    assert list(text.parse_plain_runs(io.BytesIO(((good + "\n") * 3).encode())))[0].count == 3  # control: a run


# Through the importer and the lookup


def test_bare_digests_are_deduplicated_across_runs_and_stored_once_in_blocks(admin, monkeypatch):
    monkeypatch.setattr(text, "RUN_BLOCK", 100)  # about three lines a block: many runs
    md5s = [os.urandom(16).hex() for _ in range(30)]
    lines = [*md5s, *md5s[:10], md5s[0].upper()]
    version = import_lines(admin, lines)
    assert (version.status, version.entries, version.duplicates) == ("ready", 30, 11)
    assert not HashEntry.objects.filter(version=version).exists()
    assert sum(block.count for block in DigestBlock.objects.filter(version=version)) == 30
    assert set(stored_digests(version)) == set(md5s)
    found = active_matches({"md5": {bytes.fromhex(value) for value in md5s[:3]} | {os.urandom(16)}})
    assert {value.hex() for _, value in found} == set(md5s[:3])
    assert all(matches[0].category == "1" and matches[0].kind == "alert" for matches in found.values())


def test_a_digest_both_bare_and_named_is_one_entry_that_keeps_its_name(admin, monkeypatch):
    monkeypatch.setattr(text, "RUN_BLOCK", 66)  # the two bare lines make a run; the named ones are entries
    shared, bare = os.urandom(16).hex(), os.urandom(16).hex()
    version = import_lines(admin, [shared, bare, f"{shared}  photo.jpg", f"{os.urandom(16).hex()}  other.jpg"])
    assert (version.entries, version.duplicates) == (3, 1)
    assert stored_digests(version)[shared] == "photo.jpg"
    assert [block.count for block in DigestBlock.objects.filter(version=version)] == [1]  # the other bare digest
    assert HashEntry.objects.filter(version=version, value=bytes.fromhex(shared)).count() == 1
    assert len(active_matches({"md5": {bytes.fromhex(shared)}})[("md5", bytes.fromhex(shared))]) == 1


@pytest.mark.parametrize("algorithm, width", [("md5", 16), ("sha1", 20), ("sha256", 32)])
def test_lookups_hit_and_miss_at_the_edges_of_buckets(admin, algorithm, width):
    middle = 0x1234
    listed = [
        edge(0, width),  # the very first digest there can be (prefix 0, all zero bytes)
        edge(0, width, step=16),
        edge(middle, width),  # first of its bucket, trailing zero bytes
        edge(middle, width, step=1 << 40),
        edge(middle, width, last=True),  # last of its bucket
        edge(LAST_PREFIX, width, last=True, step=-1),
        edge(LAST_PREFIX, width, last=True),  # the very last digest there can be
    ]
    absent = [
        edge(0, width, step=1),
        edge(middle, width, step=-1),  # just below the bucket (the last of the one before)
        edge(middle, width, step=2),
        edge(middle, width, last=True, step=1),  # just above it (the first of the next)
        edge(LAST_PREFIX, width, last=True, step=-2),
    ]
    version = import_lines(admin, [value.hex() for value in listed], name=f"Edges {algorithm}")
    assert version.entries == len(listed)
    assert set(DigestBlock.objects.filter(version=version).values_list("prefix", flat=True)) == {0, middle, LAST_PREFIX}
    found = active_matches({algorithm: set(listed) | set(absent)})
    assert set(found) == {(algorithm, value) for value in listed}
    other = "sha256" if algorithm != "sha256" else "md5"
    assert not active_matches({other: {edge(middle, 32 if other == "sha256" else 16)}})


def test_a_new_version_in_blocks_reports_what_it_added_and_removed(admin, client):
    kept = [os.urandom(16).hex() for _ in range(20)]
    gone, new = os.urandom(16).hex(), os.urandom(16).hex()
    first = import_lines(admin, [*kept, gone, f"{os.urandom(20).hex()}  named.jpg"], name="Diff")
    named = next(value for value, name in stored_digests(first).items() if name)
    second = import_lines(admin, [*kept, new, named], name="Diff")  # the named one is now bare
    assert (second.diff_base_id, second.added, second.removed) == (first.pk, 1, 1)
    assert sorted(version_diff_rows(second, first)) == [("added", "md5", new), ("removed", "md5", gone)]
    client.force_login(admin)
    response = client.get(reverse("version_diff_csv", args=[second.pk]))
    lines = b"".join(response.streaming_content).decode().splitlines()
    assert lines == ["change,algorithm,hash", f"added,md5,{new}", f"removed,md5,{gone}"]


def test_a_failure_after_the_blocks_are_written_keeps_none_and_the_previous_version_active(admin, monkeypatch):
    good = import_lines(admin, [os.urandom(16).hex() for _ in range(5)], name="Safe")

    def broken(version):
        assert DigestBlock.objects.filter(version=version).exists()  # written, in the same transaction
        raise RuntimeError("disk full")

    monkeypatch.setattr(importers, "_diff_with_active", broken)
    failed = import_lines(admin, [os.urandom(16).hex() for _ in range(5)], name="Safe")
    good.refresh_from_db()
    assert failed.status == "failed" and "disk full" in english(failed.error) and not failed.is_active
    assert not DigestBlock.objects.filter(version=failed).exists() and good.is_active


def test_a_cancel_in_the_middle_of_an_import_keeps_no_block(admin, monkeypatch):
    monkeypatch.setattr(text, "RUN_BLOCK", 100)
    real_checkpoint = importers._checkpoint

    def cancel_after_the_first_chunk(version, *args):
        HashListVersion.objects.filter(pk=version.pk).update(cancel_requested=True)
        real_checkpoint(version, *args)

    monkeypatch.setattr(importers, "_checkpoint", cancel_after_the_first_chunk)
    version = import_lines(admin, [os.urandom(16).hex() for _ in range(30)], name="Stopped")
    assert version.status == "cancelled" and not version.is_active
    assert not DigestBlock.objects.filter(version=version).exists()
    assert not HashEntry.objects.filter(version=version).exists()
    monkeypatch.setattr(importers, "_checkpoint", real_checkpoint)
    assert import_lines(admin, [os.urandom(16).hex()], name="Stopped").status == "ready"  # control


def test_numpy_and_python_agree_on_the_order_of_packed_digests():
    values = [os.urandom(16) for _ in range(2000)] + [b"\x00" * 16, b"\xff" * 16, b"\x00" * 15 + b"\x01"]
    ordered = digestsets.sorted_unique(np.asarray(values, dtype="S16"))
    assert digestsets.as_bytes(ordered) == sorted(set(values))
