import os

from evidence.sources import list_folder, real_path, stored_path


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
    assert found == {"S/link": "symbolic link to '/etc/hostname', not followed", "S/real.txt": ""}


def test_a_name_that_is_not_utf8_is_kept_exactly_and_shown_readably(tmp_path):
    raw = os.fsencode(str(tmp_path)) + b"/photo-\xe9t\xe9.jpg"  # Latin-1 bytes, as on an old FAT stick
    with open(raw, "wb") as out:
        out.write(b"x")
    [found] = list(list_folder(str(tmp_path), "S"))
    assert found.path == "S/photo-\ufffdt\ufffd.jpg"
    assert found.source_path.startswith("b64:") and real_path(found.source_path) == raw
    assert stored_path("/plain/name.jpg") == real_path("/plain/name.jpg") == "/plain/name.jpg"  # control
