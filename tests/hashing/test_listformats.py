import hashlib
import io

from config.messages import english, message
from hashing.listformats import DIGEST_BYTES, Entry, Malformed, Run, detect_format, parse_plain
from hashing.listformats.tables import parse_csv
from hashing.listformats.text import parse_plain_runs

MD5 = hashlib.md5(b"a").hexdigest()
SHA1 = hashlib.sha1(b"a").hexdigest()
SHA256 = hashlib.sha256(b"a").hexdigest()


def parse(text: bytes):
    return list(parse_plain(text.splitlines(keepends=True)))


def test_each_digest_length_is_recognised_in_any_case():
    items = parse(f"{MD5}\n{SHA1.upper()}\n{SHA256}\n".encode())
    assert [(item.algorithm, item.value.hex()) for item in items] == [
        ("md5", MD5),
        ("sha1", SHA1),
        ("sha256", SHA256),
    ]


def test_comments_blank_lines_crlf_and_bom_are_accepted():
    items = parse(b"\xef\xbb\xbf# a comment\r\n\r\n" + MD5.encode() + b"\r\n   \r\n")
    assert items == [Entry(3, "md5", bytes.fromhex(MD5), "")]


def test_sum_output_keeps_the_file_name():
    items = parse(f"{SHA256}  photos/beach.jpg\n{MD5} *binary.bin\n".encode())
    assert [item.name for item in items] == ["photos/beach.jpg", "binary.bin"]


def test_malformed_lines_are_reported_with_their_number_and_the_rest_kept():
    items = parse(f"{MD5}\nnot-a-hash\n{MD5[:-1]}\n{SHA1}\n".encode())
    assert [type(item) for item in items] == [Entry, Malformed, Malformed, Entry]
    assert items[1] == Malformed(2, message("list.not_hex"))
    assert items[2].line == 3 and "31 hex digits" in english(items[2].reason)


def test_an_overlong_line_is_malformed_not_fatal():
    items = parse(b"f" * 100_000 + b"\n" + MD5.encode() + b"\n")
    assert isinstance(items[0], Malformed) and items[0].line == 1
    assert items[1] == Entry(2, "md5", bytes.fromhex(MD5), "")


def test_format_detection_reads_the_content():
    assert detect_format(MD5.encode()) == "plain"
    assert detect_format(b'\xef\xbb\xbf{"odata.metadata": ""}') == "vics"
    assert detect_format(b"%%%% HASHDEEP-1.0\n") == "hashdeep"


def test_a_plain_list_opening_with_a_comment_full_of_commas_is_still_plain():
    head = b"# National list, export of 2026-11-01: SHA-256, one per line\n\n" + (b"a" * 64) + b"\n"
    assert detect_format(head) == "plain"
    assert detect_format(b"# exported 2026-11-01\nFile name,MD5 hash,Category\n") == "csv"  # control


def expanded(items):
    """Runs turned back into one Entry per line, to compare with the line-by-line parser."""
    for item in items:
        if isinstance(item, Run):
            width = DIGEST_BYTES[item.algorithm]
            for offset in range(item.count):
                yield Entry(item.line + offset, item.algorithm, item.values[offset * width : (offset + 1) * width], "")
        else:
            yield item


def test_the_block_parser_gives_what_the_line_parser_gives():
    md5s = [hashlib.md5(str(n).encode()).hexdigest() for n in range(300)]
    text = (
        b"\xef\xbb\xbf"
        + "\r\n".join(md5s[:100]).encode()
        + b"\r\n# a comment\n\nnot-a-hash\n"
        + b"f" * 9000  # an overlong line, longer than a block
        + b"\n"
        + "\n".join(md5s[100:]).encode()
        + f"\n{SHA256}  photo.jpg\n{SHA1.upper()}".encode()
    )
    by_line = parse(text)
    by_block = list(parse_plain_runs(io.BytesIO(text), block_size=1000))
    assert any(isinstance(item, Run) for item in by_block)  # most blocks went through whole
    assert list(expanded(by_block)) == [
        Entry(item.line, item.algorithm, item.value, "") if isinstance(item, Entry) and not item.name else item
        for item in by_line
    ]
    assert list(expanded(by_block))[-1] == Entry(306, "sha1", bytes.fromhex(SHA1), "")
    assert Malformed(103, message("list.not_hex")) in by_block and by_block[-2].name == "photo.jpg"


def test_a_line_of_many_megabytes_is_never_held_whole_and_the_next_line_is_read():
    from hashing.importers import _Progress
    from hashing.listformats.base import MAX_LINE

    stream = io.BytesIO(b"md5,name\n" + b"a" * (20 << 20) + b"\n" + MD5.encode() + b",x.jpg\n")
    stream.name = "hostile.csv"
    seen = list(_Progress(stream))
    assert [len(line) for line in seen][0] == 9 and len(seen) == 3
    assert MAX_LINE < len(seen[1]) <= MAX_LINE + 2  # cut: the parser reports it too long
    assert seen[2] == MD5.encode() + b",x.jpg\n"  # control: the line after it is whole
    items = list(parse_csv(iter(seen)))
    assert isinstance(items[0], Malformed) and items[0].line == 2 and "longer than" in english(items[0].reason)
    assert isinstance(items[1], Entry) and items[1].line == 3
