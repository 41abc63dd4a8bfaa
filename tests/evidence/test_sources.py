import os

from evidence.sources import Opener, list_folder, list_zip
from tests.factories import zip_bytes


def encrypted_zip(members: dict[str, bytes]) -> bytes:
    """A zip whose members carry the 'encrypted' flag (the stdlib cannot write real encryption)."""
    data = bytearray(zip_bytes(members))
    for signature, offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        start = 0
        while (start := data.find(signature, start)) != -1:
            data[start + offset] |= 0x01
            start += 4
    return bytes(data)


def test_folder_listing_is_sorted_and_relative(tmp_path):
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "two.txt").write_bytes(b"22")
    (tmp_path / "one.txt").write_bytes(b"1")
    found = list(list_folder(str(tmp_path), "SEAL"))
    assert [(f.path, f.size, f.error) for f in found] == [("SEAL/one.txt", 1, ""), ("SEAL/b/two.txt", 2, "")]


def test_a_symbolic_link_is_reported_not_followed(tmp_path):
    (tmp_path / "real.txt").write_bytes(b"x")
    os.symlink("/etc/hostname", tmp_path / "link")
    found = {f.path: f.error for f in list_folder(str(tmp_path), "S")}
    assert found == {"S/link": "symbolic link, not followed", "S/real.txt": ""}


def test_zip_members_are_listed_and_streamed_without_extraction(tmp_path):
    archive = tmp_path / "a.zip"
    archive.write_bytes(zip_bytes({"dir/x.bin": b"x" * 10, "y.bin": b"yy"}))
    found = list(list_zip(str(archive), "a.zip"))
    assert [(f.path, f.member, f.size) for f in found] == [
        ("a.zip/dir/x.bin", "dir/x.bin", 10),
        ("a.zip/y.bin", "y.bin", 2),
    ]
    with Opener() as opener, opener.open(str(archive), "y.bin") as stream:
        assert stream.read() == b"yy"
    assert sorted(os.listdir(tmp_path)) == ["a.zip"]


def test_an_encrypted_member_is_recorded_with_its_reason(tmp_path):
    archive = tmp_path / "locked.zip"
    archive.write_bytes(encrypted_zip({"secret.jpg": b"data"}))
    [found] = list(list_zip(str(archive), "locked.zip"))
    assert found.error == "encrypted archive member"
    plain = tmp_path / "plain.zip"
    plain.write_bytes(zip_bytes({"secret.jpg": b"data"}))
    assert [f.error for f in list_zip(str(plain), "plain.zip")] == [""]


def test_a_corrupt_archive_is_one_entry_with_an_error(tmp_path):
    archive = tmp_path / "broken.zip"
    archive.write_bytes(b"PK\x03\x04" + b"\x00" * 50)
    [found] = list(list_zip(str(archive), "broken.zip"))
    assert found.error.startswith("corrupt archive")
