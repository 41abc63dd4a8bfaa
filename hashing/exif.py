"""What a photo says of the camera that made it, when and where: its EXIF (and XMP) tags, read from
the image the pipeline already opened. Plain Python: no Django.

Read once, on the worker, from ``hashing.perceptual.decode``'s image (Pillow parsed the tags while
opening it): make, model, the body's serial number, lens, software, the capture time with its
offset from UTC, and the GPS position. Images made by a seized phone or camera are production
evidence; the serial number ties an image to one device across exhibits and dossiers.

Tags are written by cameras, phones and editing software, and by anyone with a tool: every value is
taken as text of bounded length, a malformed tag is skipped (never an error of the image), and
the reading is shown as "what the file says", never as established fact.
"""

import math
import re
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime, timedelta, timezone

from PIL import Image

# EXIF tag numbers (CIPA DC-008), base IFD, Exif IFD and GPS IFD.
MAKE, MODEL, SOFTWARE, DATE_TIME = 0x010F, 0x0110, 0x0131, 0x0132
EXIF_IFD, GPS_IFD = 0x8769, 0x8825
DATE_TIME_ORIGINAL, OFFSET_TIME_ORIGINAL, OFFSET_TIME = 0x9003, 0x9011, 0x9010
USER_COMMENT, IMAGE_DESCRIPTION = 0x9286, 0x010E
BODY_SERIAL, LENS_MAKE, LENS_MODEL, CAMERA_OWNER = 0xA431, 0xA433, 0xA434, 0xA430
ARTIST = 0x013B
# Windows' tags (Explorer's Properties > Details), UTF-16LE bytes in the base IFD.
XP_TAGS = {0x9C9B: "title", 0x9C9C: "xp_comment", 0x9C9D: "author", 0x9C9E: "keywords", 0x9C9F: "subject"}
GPS_LAT_REF, GPS_LAT, GPS_LON_REF, GPS_LON, GPS_ALT_REF, GPS_ALT = 1, 2, 3, 4, 5, 6
MAX_TEXT = 128
# What a person wrote in the tags, kept longer than a camera's names: its words are searched.
MAX_CAPTION = 2000
CAPTION_KEYS = ("description", "title", "subject", "keywords", "xp_comment", "artist", "author")
# XMP properties that carry what EXIF may lack (Adobe's aux: and the EXIF 2.3 exifEX: namespace).
_XMP = {
    "serial": re.compile(rb"(?:aux:SerialNumber|exifEX:BodySerialNumber)\s*(?:=\s*\"([^\"]{1,128})\"|>([^<]{1,128})<)"),
    "lens": re.compile(rb"(?:aux:Lens|exifEX:LensModel)\s*(?:=\s*\"([^\"]{1,128})\"|>([^<]{1,128})<)"),
}
_EXIF_DATE = re.compile(r"^(\d{4}):(\d{2}):(\d{2})[ T](\d{2}):(\d{2}):(\d{2})")
_OFFSET = re.compile(r"^([+-])(\d{2}):(\d{2})$")


@dataclass
class CameraFacts:
    """What an image's tags say (empty strings and None where they say nothing)."""

    make: str = ""
    model: str = ""
    serial: str = ""
    lens: str = ""
    software: str = ""
    owner: str = ""
    comment: str = ""
    taken_local: str = ""  # the capture time as the camera wrote it ("2024-05-01 13:22:01")
    taken_offset: str = ""  # its offset from UTC, where written ("+02:00")
    latitude: float | None = None
    longitude: float | None = None
    altitude: float | None = None
    extra: dict = field(default_factory=dict)

    @property
    def is_empty(self) -> bool:
        return not any(value not in ("", None, {}) for value in asdict(self).values())

    @property
    def taken_at(self) -> datetime | None:
        """The capture time in UTC, where the offset is known; None otherwise (a local time alone
        cannot be placed on a timeline without guessing the camera's time zone)."""
        local = _local_time(self.taken_local)
        offset = _offset(self.taken_offset)
        if local is None or offset is None:
            return None
        return local.replace(tzinfo=offset).astimezone(UTC)

    @property
    def taken_day(self) -> date | None:
        """The calendar day of the capture as the camera wrote it (its own clock and time zone)."""
        local = _local_time(self.taken_local)
        return local.date() if local is not None else None

    def as_dict(self) -> dict:
        return asdict(self)

    @property
    def captions(self) -> str:
        """What a person wrote in the tags, one a line (``captions_of``)."""
        return captions_of(self.comment, self.owner, self.extra)


def captions_of(comment: str, owner: str, extra: dict) -> str:
    """The words a person wrote in an image's tags, each once, one a line: its user comment, the
    camera owner's and the artist's names, its description, and Windows' title, subject, keywords,
    comment and author. The camera's make, model and software are names, not words: they are not."""
    values = [comment, *(extra.get(key) for key in CAPTION_KEYS), owner]
    return "\n".join(dict.fromkeys(value for value in values if isinstance(value, str) and value.strip()))


def camera_facts(image: Image.Image) -> CameraFacts | None:
    """The facts the tags of an opened image give, or None when it has none worth keeping."""
    try:
        exif = image.getexif()
    except (OSError, SyntaxError, ValueError, TypeError, KeyError, IndexError):
        return None
    facts = CameraFacts()
    _base(facts, exif)
    _detail(facts, _ifd(exif, EXIF_IFD))
    _position(facts, _ifd(exif, GPS_IFD))
    _xmp(facts, image.info.get("xmp"))
    return None if facts.is_empty else facts


def _ifd(exif, tag: int) -> dict:
    try:
        return dict(exif.get_ifd(tag))
    except (OSError, SyntaxError, ValueError, TypeError, KeyError, IndexError, AttributeError):
        return {}


def _base(facts: CameraFacts, exif) -> None:
    facts.make = _text(exif.get(MAKE))
    facts.model = _text(exif.get(MODEL))
    facts.software = _text(exif.get(SOFTWARE))
    captions = {"description": _text(exif.get(IMAGE_DESCRIPTION), MAX_CAPTION)}
    captions["artist"] = _text(exif.get(ARTIST), MAX_CAPTION)
    for tag, name in XP_TAGS.items():
        captions[name] = _windows_text(exif.get(tag))
    facts.extra.update({name: value for name, value in captions.items() if value})
    written = _time_text(exif.get(DATE_TIME))
    if written:
        facts.extra["modified"] = written


def _detail(facts: CameraFacts, tags: dict) -> None:
    facts.serial = _text(tags.get(BODY_SERIAL))
    facts.owner = _text(tags.get(CAMERA_OWNER))
    facts.lens = " ".join(part for part in (_text(tags.get(LENS_MAKE)), _text(tags.get(LENS_MODEL))) if part)
    facts.comment = _comment(tags.get(USER_COMMENT))
    facts.taken_local = _time_text(tags.get(DATE_TIME_ORIGINAL))
    offset = _text(tags.get(OFFSET_TIME_ORIGINAL)) or _text(tags.get(OFFSET_TIME))
    facts.taken_offset = offset if _offset(offset) is not None else ""


def _position(facts: CameraFacts, gps: dict) -> None:
    latitude = _degrees(gps.get(GPS_LAT), gps.get(GPS_LAT_REF), "S", 90)
    longitude = _degrees(gps.get(GPS_LON), gps.get(GPS_LON_REF), "W", 180)
    if latitude is None or longitude is None or (latitude == 0 and longitude == 0):
        return  # half a position, or "0, 0" (a phone writing zeros without a fix), is none
    facts.latitude, facts.longitude = round(latitude, 7), round(longitude, 7)
    altitude = _number(gps.get(GPS_ALT))
    if altitude is not None and abs(altitude) < 100_000:
        below = gps.get(GPS_ALT_REF) in (1, b"\x01")
        facts.altitude = round(-altitude if below else altitude, 1)


def _xmp(facts: CameraFacts, packet) -> None:
    if not isinstance(packet, bytes | bytearray):
        return
    packet = bytes(packet[:65536])
    for name, pattern in _XMP.items():
        if getattr(facts, name):
            continue
        found = pattern.search(packet)
        if found:
            value = (found.group(1) or found.group(2)).decode("utf-8", "replace")
            setattr(facts, name, _text(value))


def _text(value, limit: int = MAX_TEXT) -> str:
    """A tag's value as one line of bounded text ("" for none, numbers or unreadable bytes)."""
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    if not isinstance(value, str):
        return ""
    value = "".join(character for character in value[: limit * 2] if character.isprintable()).strip()
    return value[:limit]


def _windows_text(value) -> str:
    """A Windows XP* tag: UTF-16LE bytes ending in a NUL (Pillow may give a tuple of byte values)."""
    if isinstance(value, tuple) and all(isinstance(byte, int) and 0 <= byte < 256 for byte in value):
        value = bytes(value)
    if not isinstance(value, bytes):
        return ""
    return _text(value[: MAX_CAPTION * 4].decode("utf-16-le", "replace").rstrip("\x00"), MAX_CAPTION)


def _comment(value) -> str:
    """EXIF UserComment: 8 bytes naming its character code, then the text."""
    if isinstance(value, bytes) and len(value) > 8:
        code, text = value[:8], value[8:]
        encoding = "latin-1"
        if code.startswith(b"UNICODE"):
            # UCS-2 in the byte order of the file's TIFF header, which Pillow does not hand over: a
            # text starting with a Latin letter starts with a zero byte when it is big-endian.
            encoding = "utf-16-be" if text[:1] == b"\x00" else "utf-16-le"
        return _text(text.decode(encoding, "replace").strip("\x00"))
    return _text(value)


def _time_text(value) -> str:
    """An EXIF date ("2024:05:01 13:22:01") as "2024-05-01 13:22:01", or "" if it is not one."""
    local = _local_time(_text(value))
    return local.strftime("%Y-%m-%d %H:%M:%S") if local is not None else ""


def _local_time(text: str) -> datetime | None:
    found = _EXIF_DATE.match(text.replace("-", ":", 2) if text[4:5] == "-" else text)
    if not found:
        return None
    try:
        return datetime(*(int(part) for part in found.groups()))
    except ValueError:  # "0000:00:00 00:00:00", the 31st of February
        return None


def _offset(text: str) -> timezone | None:
    found = _OFFSET.match(text or "")
    if not found:
        return None
    sign, hours, minutes = found.groups()
    delta = timedelta(hours=int(hours), minutes=int(minutes))
    if int(minutes) >= 60 or delta > timedelta(hours=14):
        return None
    return timezone(-delta if sign == "-" else delta)


def _number(value) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError, ZeroDivisionError):
        return None
    return number if math.isfinite(number) else None


def _degrees(value, reference, negative: str, limit: float) -> float | None:
    """Degrees, minutes and seconds (three rationals) as signed decimal degrees, within ``limit``."""
    if not isinstance(value, tuple | list) or len(value) != 3:
        return None
    parts = [_number(part) for part in value]
    if any(part is None or part < 0 for part in parts):
        return None
    degrees = parts[0] + parts[1] / 60 + parts[2] / 3600
    if degrees > limit:
        return None
    reference = _text(reference).upper()
    return -degrees if reference == negative else degrees
