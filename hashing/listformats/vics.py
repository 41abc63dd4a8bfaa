"""Project VIC VICS JSON (1.x and 2.0), streamed with ijson so a multi-GB export never sits in memory.

No Django here. VICS 1.x: ``"odata.metadata": ".../1.3.xml#Media"`` and ``value`` holds Media.
VICS 2.0: ``"@odata.context": ".../2.0.xml/{US|UK|Default|CUSTOM}/$metadata#Cases"`` and ``value``
holds cases, each with ``CaseID`` and a ``Media`` array (or ``#Media`` with Media directly). The
shape is also recognised from the content, since producers disagree on the context string.
Entries carry the Media record number as their ``line``.
"""

import re
from collections.abc import Iterator
from typing import BinaryIO

import ijson

from config.messages import message
from hashing.listformats.base import BOM, HASH_FIELDS, Entry, FormatError, Malformed, digest_from_text

BLOCK = 64 * 1024
MEDIA_KEYS = {"MD5": "md5", "SHA1": "sha1", "SHA256": "sha256"}
ALTERNATIVE_NAMES = {"md5": "md5", "sha1": "sha1", "sha256": "sha256", "pdq": "pdq", "phash": "phash"}
# Facts about a Media kept with its entries (victim/offender identified, distribution, tags).
KEPT = ("MediaID", "MediaSize", "VictimIdentified", "OffenderIdentified", "IsDistributed", "IsPrecategorized", "Tags")


class _Reader:
    """Feeds ijson in blocks, drops a BOM, and remembers the last blocks to locate a syntax error."""

    def __init__(self, stream: BinaryIO):
        self.stream = stream
        self.offset = 0  # bytes handed to the parser so far
        self.window = b""  # the last two blocks, starting at offset window_start
        self.window_start = 0
        self.lines_before_window = 0

    def read(self, size: int = BLOCK) -> bytes:
        block = self.stream.read(size)
        if self.offset == 0 and block.startswith(BOM):
            block = block[len(BOM) :]
            self.offset = self.window_start = len(BOM)
        if len(self.window) > size:
            dropped = len(self.window) - len(self.window) // 2
            self.lines_before_window += self.window[:dropped].count(b"\n")
            self.window_start += dropped
            self.window = self.window[dropped:]
        self.window += block
        self.offset += len(block)
        return block

    def position_of(self, error: Exception) -> tuple[int, int]:
        """(byte offset, line) of a yajl error, from the text yajl quotes before its caret.

        yajl quotes about 30 characters of the document with line ends turned into spaces, so
        the quote is searched for with any white space standing for a space; failing that, the
        end of what was read is given.
        """
        position = self.offset
        message = str(error).splitlines()
        if len(message) >= 3 and "^" in message[2]:
            before = message[1][: message[2].index("^")].lstrip()
            if before:
                pattern = re.escape(before.encode("latin-1", errors="replace")).replace(rb"\ ", rb"\s")
                matches = list(re.finditer(pattern, self.window))
                if matches:
                    position = self.window_start + matches[-1].end()
        line = self.lines_before_window + self.window[: max(0, position - self.window_start)].count(b"\n") + 1
        return position, line


def parse_vics(stream: BinaryIO, **_options) -> Iterator[Entry | Malformed]:
    reader = _Reader(stream)
    builder = builder_prefix = None
    case_id = None
    saw_value = False
    record = 0
    try:
        for prefix, event, value in ijson.parse(reader, buf_size=BLOCK, use_float=True):
            if builder is not None:
                if (
                    builder_prefix == "value.item"
                    and prefix == "value.item"
                    and event == "map_key"
                    and value == "Media"
                ):
                    # A case, not a Media: forget it and build its Media one by one instead.
                    case_id = builder.value.get("CaseID") if isinstance(builder.value, dict) else None
                    builder = None
                elif prefix == builder_prefix and event == "end_map":
                    record += 1
                    yield from media_entries(record, builder.value, case_id)
                    builder = None
                else:
                    builder.event(event, value)
                continue
            if event == "start_map" and prefix in ("value.item", "value.item.Media.item"):
                builder, builder_prefix = ijson.ObjectBuilder(), prefix
                builder.event(event, value)
            elif prefix == "value" and event == "start_array":
                saw_value = True
            elif prefix == "value.item.CaseID" and event == "string":
                case_id = value
            elif prefix == "value.item" and event == "end_map":
                case_id = None
    except ijson.JSONError as error:
        position, line = reader.position_of(error)
        reason = str(error).splitlines()[0].removeprefix("b'").removeprefix('b"').split("\\n")[0]
        raise FormatError(message("list.json_syntax", byte=str(position), line=str(line), reason=reason)) from None
    if not saw_value:
        raise FormatError(message("list.not_vics"))


def media_entries(record: int, media, case_id=None) -> Iterator[Entry | Malformed]:
    """The entries of one VICS Media: MD5, SHA1 and the alternative hashes (SHA256, PDQ, pHash)."""
    if not isinstance(media, dict):
        yield Malformed(record, message("list.vics_not_object", record=str(record)))
        return
    hashes: list[tuple[str, object]] = [(field, media[key]) for key, field in MEDIA_KEYS.items() if media.get(key)]
    extra = {key: media[key] for key in KEPT if media.get(key) not in (None, "", [])}
    if case_id:
        extra["CaseID"] = case_id
    names = []
    for holder in [media, *[f for f in media.get("MediaFiles") or [] if isinstance(f, dict)]]:
        if holder is not media and (name := holder.get("FileName") or holder.get("FilePath")):
            names.append(str(name))
        for key in ("Hashes", "AlternativeHashes"):
            for alternative in holder.get(key) or []:
                if not isinstance(alternative, dict):
                    continue
                label = re.sub(r"[^a-z0-9]", "", str(alternative.get("HashName", "")).lower())
                if label in ALTERNATIVE_NAMES and alternative.get("HashValue"):
                    hashes.append((ALTERNATIVE_NAMES[label], alternative["HashValue"]))
                elif label == "photodna" and alternative.get("HashValue"):
                    extra["PhotoDNA"] = alternative["HashValue"]
    category = "" if media.get("Category") is None else str(media["Category"])
    series = "" if media.get("Series") is None else str(media["Series"])[:255]
    entries, seen = [], set()
    for field, text in hashes:
        value = digest_from_text(field, str(text))
        if not isinstance(value, bytes):
            yield Malformed(record, message("list.vics_record", record=str(record), reason=value))
            return
        if (field, value) not in seen:
            seen.add((field, value))
            entries.append(Entry(record, field, value, names[0] if names else "", category, series, extra or None))
    if not entries:
        yield Malformed(record, message("list.vics_no_hash", record=str(record), fields=", ".join(HASH_FIELDS)))
        return
    yield from entries
