import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from config.messages import english
from evidence.ingest.sources import PATH_MAX, list_folder, name_bytes, open_source, real_path, shown_name, stored_path


def test_folder_listing_is_sorted_and_relative(tmp_path):
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "two.txt").write_bytes(b"22")
    (tmp_path / "one.txt").write_bytes(b"1")
    found = list(list_folder(str(tmp_path), "SEAL"))
    assert [(f.path, f.size, f.error) for f in found] == [("SEAL/one.txt", 1, ""), ("SEAL/b/two.txt", 2, "")]


def test_a_symbolic_link_is_reported_not_followed(tmp_path):
    (tmp_path / "real.txt").write_bytes(b"x")
    os.symlink("/etc/hostname", tmp_path / "link")
    found = {f.path: english(f.error) for f in list_folder(str(tmp_path), "S")}
    assert found == {"S/link": "symbolic link to '/etc/hostname', not followed", "S/real.txt": ""}


def test_a_name_that_is_not_utf8_is_kept_exactly_and_shown_readably(tmp_path):
    raw = os.fsencode(str(tmp_path)) + b"/photo-\xe9t\xe9.jpg"  # Latin-1 bytes, as on an old FAT stick
    with open(raw, "wb") as out:
        out.write(b"x")
    [found] = list(list_folder(str(tmp_path), "S"))
    assert found.path == "S/photo-\\xe9t\\xe9.jpg"  # each byte that is not UTF-8 shown as \\xNN
    assert found.source_path.startswith("b64:") and real_path(found.source_path) == raw
    assert stored_path("/plain/name.jpg") == real_path("/plain/name.jpg") == "/plain/name.jpg"  # control


def test_two_names_that_differ_only_in_bytes_that_are_not_utf8_stay_two_paths_that_read_back(tmp_path):
    for raw in (b"x\xff.txt", b"x\xfe.txt", b"x\\xff.txt"):  # the last: a real backslash, valid UTF-8
        with open(os.fsencode(str(tmp_path)) + b"/" + raw, "wb") as out:
            out.write(raw)
    found = list(list_folder(str(tmp_path), "S"))
    shown = [f.path for f in found]
    assert len(set(shown)) == 3
    assert {name_bytes(path.removeprefix("S/")) for path in shown} == {b"x\xff.txt", b"x\xfe.txt", b"x\\xff.txt"}
    assert (
        shown_name(b"caf\xc3\xa9 a\\b.txt") == "caf\u00e9 a\\b.txt"
    )  # control: UTF-8 and a lone backslash as they are


DEEP_LEVELS, DEEP_NAME = 40, 120  # 40 folders of 120 characters: about 4,840 bytes, past PATH_MAX


def deep_tree(root: Path) -> list[str]:
    """40 nested folders of 120-character names below ``root``, a file at depth 20 and one at the
    bottom; made a folder at a time relative to its parent (mkdir of the whole path would fail).
    Return the relative paths of the two deep files."""
    made, parts = [], []
    descriptor = os.open(root, os.O_RDONLY | os.O_DIRECTORY)
    try:
        for level in range(1, DEEP_LEVELS + 1):
            name = f"{level:03d}-" + "d" * (DEEP_NAME - 4)
            os.mkdir(name, dir_fd=descriptor)
            inner = os.open(name, os.O_RDONLY | os.O_DIRECTORY, dir_fd=descriptor)
            os.close(descriptor)
            descriptor, parts = inner, [*parts, name]
            if level in (20, DEEP_LEVELS):
                out = os.open(f"deep-{level}.txt", os.O_WRONLY | os.O_CREAT, 0o644, dir_fd=descriptor)
                os.write(out, f"at depth {level}\n".encode())
                os.close(out)
                made.append("/".join([*parts, f"deep-{level}.txt"]))
    finally:
        os.close(descriptor)
    return made


def test_a_folder_deeper_than_path_max_is_walked_to_its_end(tmp_path):
    (tmp_path / "top.txt").write_bytes(b"top")
    deep = deep_tree(tmp_path)
    assert len(os.fsencode(os.path.join(tmp_path, deep[-1]))) > PATH_MAX
    found = list(list_folder(str(tmp_path), "S"))
    assert [(f.path, f.error) for f in found] == [("S/top.txt", ""), (f"S/{deep[0]}", ""), (f"S/{deep[1]}", "")]
    # The worker opens the deepest file by its stored path, though it is longer than PATH_MAX.
    with open_source(real_path(found[-1].source_path)) as stream:
        assert stream.read() == b"at depth 40\n"


def test_a_shallow_folder_gives_the_same_files_in_the_same_order_as_before(tmp_path):
    """Control: what os.walk gave (a folder's files by name, then its sub-folders by name)."""
    for relative in ("b/c/three.txt", "b/two.txt", "a/one.txt", "zero.txt", "b/c/d/four.txt"):
        (tmp_path / relative).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / relative).write_bytes(relative.encode())
    expected = []
    for directory, folders, files in os.walk(tmp_path):
        folders.sort()
        expected += [os.path.relpath(os.path.join(directory, name), tmp_path) for name in sorted(files)]
    found = list(list_folder(str(tmp_path), "S"))
    assert [f.path for f in found] == [f"S/{relative}" for relative in expected]
    assert [f.path for f in found] == [
        "S/zero.txt",
        "S/a/one.txt",
        "S/b/two.txt",
        "S/b/c/three.txt",
        "S/b/c/d/four.txt",
    ]
    assert all(f.error == "" and f.size == len(f.path) - 2 for f in found)


LIST_IN_A_CHILD = """
import json
import sys
from evidence.ingest.sources import list_folder
for found in list_folder(sys.argv[1], "S"):
    print(found.path, json.dumps(found.error), sep="|")
"""


def list_without_read_override(folder: Path) -> list[tuple[str, str]]:
    """List ``folder`` in a child process that permissions bind: as root, without the capabilities
    that let root read any folder (mode 000 means nothing to root otherwise)."""
    prefix = []
    if os.geteuid() == 0:
        if shutil.which("setpriv") is None:
            pytest.skip("running as root without setpriv: a folder cannot be made unreadable")
        drop = "-dac_override,-dac_read_search"
        prefix = ["setpriv", f"--inh-caps={drop}", f"--bounding-set={drop}", "--"]
    done = subprocess.run(
        [*prefix, sys.executable, "-c", LIST_IN_A_CHILD, str(folder)],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).resolve().parents[2],
    )
    # Each error comes as its stored message (JSON), read here in English.
    return [
        (path, english(json.loads(error))) for path, error in (line.split("|", 1) for line in done.stdout.splitlines())
    ]


def test_a_folder_that_cannot_be_read_is_reported_with_its_path_and_reason(tmp_path):
    (tmp_path / "before.txt").write_bytes(b"1")
    (tmp_path / "locked").mkdir()
    (tmp_path / "locked" / "hidden.txt").write_bytes(b"2")
    (tmp_path / "open").mkdir()
    (tmp_path / "open" / "after.txt").write_bytes(b"3")
    (tmp_path / "locked").chmod(0)
    try:
        found = list_without_read_override(tmp_path)
    finally:
        (tmp_path / "locked").chmod(0o755)
    assert found == [
        ("S/before.txt", ""),
        ("S/locked", "folder not readable, its content not listed: Permission denied"),
        ("S/open/after.txt", ""),
    ]
    # Control: the same tree, readable, gives every file and no error.
    assert list_without_read_override(tmp_path) == [
        ("S/before.txt", ""),
        ("S/locked/hidden.txt", ""),
        ("S/open/after.txt", ""),
    ]
