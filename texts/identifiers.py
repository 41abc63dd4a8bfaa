"""Identifiers found in a text: e-mail addresses, phone numbers, IBANs, cryptocurrency addresses
(Bitcoin, Ethereum, Monero), URLs and Tor onion services. Plain Python, no Django: tested without a
database.

Each is returned as ``Identifier(kind, value, raw)``: ``value`` normalised so that the same
identifier written two ways is one (a phone number in E.164, an IBAN without its blanks and in
capitals, an address in lower case), ``raw`` as the text wrote it. A candidate is kept only when
its checksum holds (IBAN, Bitcoin, a mixed-case Ethereum address, Monero, onion v3) or when the
``phonenumbers`` library finds the number valid: a random run of digits is not a phone.

Bounded on huge texts: every pattern is linear (anchored at a boundary, each repetition bounded,
no nested unbounded quantifier), and at most ``MAX_FOUND`` identifiers are read from one text.
"""

import base64
import bisect
import functools
import hashlib
import re
from collections import Counter
from typing import NamedTuple

import phonenumbers
from Cryptodome.Hash import keccak
from stdnum import bitcoin, iban

EMAIL, PHONE, IBAN, BTC, ETH, XMR, URL, ONION = "email", "phone", "iban", "btc", "eth", "xmr", "url", "onion"
KINDS = (EMAIL, PHONE, IBAN, BTC, ETH, XMR, URL, ONION)
USERNAME = "username"  # a chat's accounts and the @names its messages mention (usernames_in)
REGION = "BE"  # a number written without its country code is read as Belgian
MAX_FOUND = 5_000  # identifiers read from one text, duplicates included
MAX_VALUE = 500  # a longer URL is not kept: its value would not be a useful key
# The phone matcher tries at most this many candidates in one text (its own bound on work).
PHONE_TRIES = 20_000


class Identifier(NamedTuple):
    kind: str
    value: str
    raw: str


_LOCAL = r"[A-Za-z0-9._%+\-]"
EMAIL_PATTERN = re.compile(rf"(?<!{_LOCAL}){_LOCAL}{{1,64}}@(?:[A-Za-z0-9\-]{{1,63}}\.){{1,8}}[A-Za-z]{{2,24}}\b")
# Both found from their fixed part ("://", ".onion"), which the engine looks for as a literal string:
# many times faster than trying a scheme or a 56-letter name at every letter of the text.
URL_PATTERN = re.compile(r"://[^\s<>\"'`{}|\\^\x00-\x1f]{1,2048}")
URL_SCHEME = re.compile(r"(?<![\w.])(?:https?|ftp)\Z", re.IGNORECASE)
URL_TRAILING = ".,;:!?)]}'\"»…"
ONION_PATTERN = re.compile(r"\.onion\b", re.IGNORECASE)
ONION_NAME = re.compile(r"(?<![a-z2-7])[a-z2-7]{56}\Z", re.IGNORECASE)
IBAN_PATTERN = re.compile(r"\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,4})?\b")
_B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
BTC_PATTERN = re.compile(rf"(?<![\w])(?:[13][{_B58}]{{25,34}}|(?:bc1|BC1)[02-9ac-hj-np-zAC-HJ-NP-Z]{{11,87}})(?![\w])")
ETH_PATTERN = re.compile(r"(?<![\w])0x[0-9a-fA-F]{40}(?![\w])")
# A Telegram @username: 5 to 32 letters, digits and underscores, starting with a letter.
MENTION_PATTERN = re.compile(r"(?<![\w@.])@([A-Za-z][A-Za-z0-9_]{4,31})(?![\w@])")
XMR_PATTERN = re.compile(rf"(?<![\w])[48][{_B58}]{{94}}(?:[{_B58}]{{11}})?(?![\w])")


def find_identifiers(text: str, *, region: str = REGION, limit: int = MAX_FOUND) -> list[Identifier]:
    """The identifiers of ``text`` in the order of the kinds, each occurrence once, at most ``limit``.

    A phone number is not looked for inside another identifier (the digits of an IBAN, a URL)."""
    if len(text) <= CUE_MAX_CHARS and not may_hold_identifiers(text, region):
        return []
    found: list[Identifier] = []
    taken: list[tuple[int, int]] = []
    for finder in (_emails, _urls, _onions, _ibans, _bitcoins, _ethereums, _moneros):
        for start, end, identifier in finder(text):
            if len(found) >= limit:
                return found
            found.append(identifier)
            taken.append((start, end))
    for _start, _end, identifier in _phones(text, region, taken):
        if len(found) >= limit:
            break
        found.append(identifier)
    return found


# The quick check pays on short texts only (a file's name, a caption): it costs each character about
# half of what the eight finders cost together, and a document's pages nearly always hold a digit.
CUE_MAX_CHARS = 2_000


def may_hold_identifiers(text: str, region: str = REGION) -> bool:
    """Whether ``text`` holds what every identifier starts from: one search of the text, a necessary
    condition of each finder below (most file names, every file of a batch has one, hold none)."""
    return _cue(region).search(text) is not None


@functools.cache
def _cue(region: str) -> "re.Pattern":
    # Where a finder below would start: an e-mail's "@", a URL's "://", ".onion", an Ethereum "0x",
    # an IBAN's country and check digits, a Bitcoin or Monero address's run of base58 letters (25 at
    # least) or a bech32 "bc1"; a phone's window (PHONE_WINDOW, NO_ZERO) where the region's numbers
    # have a trunk 0, else any three digits close together (libphonenumber's matcher reads the text).
    phones = f"{PHONE_WINDOW.pattern}|{NO_ZERO.pattern}" if _trunk_zero(region) else r"\d\D{0,3}\d\D{0,3}\d"
    return re.compile(rf"@|://|\.onion|0x|bc1|[A-Z]{{2}}\d\d|[{_B58}]{{25}}|{phones}", re.IGNORECASE)


def count_identifiers(
    text: str, *, region: str = REGION, limit: int = MAX_FOUND
) -> dict[tuple[str, str], tuple[int, str]]:
    """``(kind, value) -> (occurrences, the first raw form)`` for ``text``."""
    counts: Counter = Counter()
    raws: dict[tuple[str, str], str] = {}
    for identifier in find_identifiers(text, region=region, limit=limit):
        key = (identifier.kind, identifier.value)
        counts[key] += 1
        raws.setdefault(key, identifier.raw)
    return {key: (count, raws[key]) for key, count in counts.items()}


def identifier_of(query: str, *, region: str = REGION) -> Identifier | None:
    """The identifier a whole search box holds, in any usual form ("0470 12 34 56", "+32470123456",
    "be71 0961 2345 6769", "falcon@Example.org"), or None when it holds anything else. In quotes, as a
    phrase, it is the same identifier (a text may write that number "+32 470 12 34 56")."""
    query = query.strip()
    if len(query) > 2 and query[0] == query[-1] == '"' and '"' not in query[1:-1]:
        query = query[1:-1].strip()
    if not query or len(query) > 200:
        return None
    if re.fullmatch(r"[+(]?[\d][\d\s()./\-]{5,30}", query):
        number = _phone_number(query, region)
        return Identifier(PHONE, number, query) if number else None
    compact = re.sub(r"\s", "", query)
    if re.fullmatch(r"[A-Za-z]{2}\d{2}[A-Za-z0-9]{11,30}", compact) and iban.is_valid(compact.upper()):
        return Identifier(IBAN, compact.upper(), query)
    if any(ch.isspace() for ch in query):
        return None
    for finder in (_emails, _urls, _onions, _bitcoins, _ethereums, _moneros):
        for start, end, identifier in finder(query):
            if start == 0 and end == len(query):
                return identifier
    return None


def usernames_in(text: str, *, limit: int = MAX_FOUND) -> list[Identifier]:
    """The @usernames a chat message mentions, in lower case (Telegram's are not case-sensitive)."""
    return [
        Identifier(USERNAME, "@" + match.group(1).lower(), match.group())
        for match, _ in zip(MENTION_PATTERN.finditer(text), range(limit), strict=False)
    ]


# What ends a file's name, never an address's: "photo_12@2025.jpg" is a photo, not a mailbox.
FILE_ENDINGS = frozenset(
    "jpg jpeg png gif bmp tif tiff heic heif webp svg ico raw cr2 nef dng mp4 m4v avi mkv wmv 3gp webm mp3"
    " wav m4a flac ogg txt log csv json xml pdf doc docx xls xlsx ppt pptx odt ods odp rtf zip rar 7z gz"
    " tar bz2 xz exe dll sys bin dat db sqlite tmp bak ini cfg lnk py js css".split()
)


def _emails(text: str):
    if "@" not in text:  # a C search of the text: many times faster than the pattern's scan
        return
    for match in EMAIL_PATTERN.finditer(text):
        address, end = match.group(), match.end()
        stem, ending = address.rsplit(".", 1)
        if ending.lower() in FILE_ENDINGS:
            # A name ending as a file does: the address before its extension, if one is left.
            if "." not in stem.rsplit("@", 1)[1]:
                continue
            address, end = stem, end - len(ending) - 1
        yield match.start(), end, Identifier(EMAIL, address.lower(), address)


def _urls(text: str):
    for match in URL_PATTERN.finditer(text):
        begin = URL_SCHEME.search(text, max(0, match.start() - 6), match.start())
        if begin is None:
            continue
        raw = text[begin.start() : match.end()].rstrip(URL_TRAILING)
        if raw.count("(") < raw.count(")"):  # "(see https://example.org/a)": the bracket is the text's
            raw = raw[: raw.rfind(")")]
        scheme, _, rest = raw.partition("://")
        host, slash, path = rest.partition("/")
        if not host or "@" in host:
            continue
        value = f"{scheme.lower()}://{host.lower()}{slash}{path}"
        if len(value) <= MAX_VALUE:
            yield begin.start(), begin.start() + len(raw), Identifier(URL, value, raw)


@functools.lru_cache(maxsize=4096)
def onion_valid(name: str) -> bool:
    """Whether ``name`` (56 base32 letters, without ".onion") is a version 3 onion address: its
    public key, checksum and version as rend-spec-v3 lays them out."""
    try:
        decoded = base64.b32decode(name.upper())
    except ValueError:
        return False
    key, checksum, version = decoded[:32], decoded[32:34], decoded[34:]
    expected = hashlib.sha3_256(b".onion checksum" + key + b"\x03").digest()[:2]
    return version == b"\x03" and checksum == expected


def _onions(text: str):
    for match in ONION_PATTERN.finditer(text):
        name = ONION_NAME.search(text, max(0, match.start() - 57), match.start())
        if name is not None and onion_valid(name.group()):
            raw = text[name.start() : match.end()]
            yield name.start(), match.end(), Identifier(ONION, raw.lower(), raw)


# A document repeats its identifiers (a signature, a letterhead): each is checked once.
_iban_valid = functools.lru_cache(maxsize=4096)(iban.is_valid)
_bitcoin_valid = functools.lru_cache(maxsize=4096)(bitcoin.is_valid)


def _ibans(text: str):
    for match in IBAN_PATTERN.finditer(text):
        raw = match.group()
        # The next word in capitals may have been taken in: shorter forms, a group at a time.
        while len(raw) >= 15:
            compact = raw.replace(" ", "")
            if _iban_valid(compact):
                yield match.start(), match.start() + len(raw), Identifier(IBAN, compact, raw)
                break
            raw = raw[: raw.rfind(" ")] if " " in raw else ""


def _bitcoins(text: str):
    for match in BTC_PATTERN.finditer(text):
        raw = match.group()
        if _bitcoin_valid(raw):
            value = raw.lower() if raw.lower().startswith("bc1") else raw
            yield match.start(), match.end(), Identifier(BTC, value, raw)


def keccak_256(data: bytes) -> bytes:
    return keccak.new(digest_bits=256, data=data).digest()


@functools.lru_cache(maxsize=4096)
def eth_checksum_valid(address: str) -> bool:
    """EIP-55: a mixed-case address carries a checksum in its letters' case; one all in lower or in
    upper case carries none, and is accepted as it is."""
    body = address[2:]
    if body == body.lower() or body == body.upper():
        return True
    digest = keccak_256(body.lower().encode()).hex()
    return all(
        (ch.upper() if int(nibble, 16) >= 8 else ch.lower()) == ch
        for ch, nibble in zip(body, digest, strict=False)
        if ch.isalpha()
    )


def _ethereums(text: str):
    if "0x" not in text:
        return
    for match in ETH_PATTERN.finditer(text):
        raw = match.group()
        if eth_checksum_valid(raw):
            yield match.start(), match.end(), Identifier(ETH, raw.lower(), raw)


# Monero's base58: blocks of 8 bytes written as 11 characters, the last block shorter.
_XMR_BLOCK = {0: 0, 2: 1, 3: 2, 5: 3, 6: 4, 7: 5, 9: 6, 10: 7, 11: 8}
_XMR_NETWORKS = {18, 19, 42}  # main network: standard address, integrated address, subaddress


def _xmr_decode(address: str) -> bytes | None:
    decoded = bytearray()
    for start in range(0, len(address), 11):
        block = address[start : start + 11]
        size = _XMR_BLOCK.get(len(block))
        if size is None:
            return None
        number = 0
        for ch in block:
            number = number * 58 + _B58.index(ch)
        if number >= 1 << (8 * size):
            return None
        decoded += number.to_bytes(size, "big")
    return bytes(decoded)


@functools.lru_cache(maxsize=4096)
def xmr_valid(address: str) -> bool:
    """A Monero main-network address: its network byte and its Keccak-256 checksum (4 bytes)."""
    decoded = _xmr_decode(address)
    if decoded is None or len(decoded) not in (69, 77) or decoded[0] not in _XMR_NETWORKS:
        return False
    return keccak_256(decoded[:-4])[:4] == decoded[-4:]


def _moneros(text: str):
    for match in XMR_PATTERN.finditer(text):
        if xmr_valid(match.group()):
            yield match.start(), match.end(), Identifier(XMR, match.group(), match.group())


def _phone_number(raw: str, region: str, *, mobile: bool = False) -> str | None:
    try:
        number = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    if mobile and phonenumbers.number_type(number) != phonenumbers.PhoneNumberType.MOBILE:
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _merged(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """``spans`` as disjoint spans, in order."""
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


# Where a phone number may start in a country whose numbers are written with a trunk prefix 0
# (Belgium, France, the Netherlands...): "+", "00" or "0", perhaps in brackets. The matcher, which
# costs ~100 us a candidate, reads only these windows: a text's other digits (dates, amounts,
# references) are never parsed. A number written without its 0 is read apart (NO_ZERO).
PHONE_WINDOW = re.compile(r"(?<![\w+])(?:\+|\(?0)[\d \t./()\-]{6,24}\d")
# A mobile number written without its trunk 0, as people write it who think of "+32": taken only
# where it cannot be a figure. phonenumbers (region BE) calls a bare "470123456" valid, and so are
# ~5.5 % of random nine-digit runs (every one starting 46 to 49): in a table of figures, amounts and
# references would become phones. So it is read only grouped as phone numbers are written, a first
# group then pairs ("470 12 34 56", "470/12.34.56", "6 12 34 56 78"), or whole after a word that
# says a phone follows ("GSM 470123456", "tél. : 470123456"), never amid other figures; and only a
# valid mobile of the region.
# Starting with a digit, so that the engine skips to the digits of a text; what precedes the number
# (a letter, a digit, "+", a separator after a digit: part of something else) is checked apart.
NO_ZERO = re.compile(
    r"[1-9](?:\d{0,2}[ ./\-]\d\d(?P<separator>[ .\-])\d\d(?:(?P=separator)\d\d){1,2}|\d{7,9})(?![\w ./\-]?\d)"
)
NOT_BEFORE = re.compile(r"(?:[\w+./\-]|\d[ ./\-])\Z")
PHONE_CUE = re.compile(r"\b(?i:t[ée]l(?:[ée]phone|efoon)?|gsm|mobiel|mobile|portable|phone|cell)\.?[ \t]?:?[ \t]?\Z")


def _trunk_zero(region: str) -> bool:
    metadata = phonenumbers.PhoneMetadata.metadata_for_region(region)
    return metadata is not None and metadata.national_prefix == "0"


def _phone_matches(text: str, region: str):
    """(start, end, E.164 value, raw) of the numbers in ``text``: over the windows where a number
    may start when the region's trunk prefix is 0, over the whole text otherwise."""
    if not _trunk_zero(region):
        yield from _numbers(text, region)
        return
    for tries, window in enumerate(PHONE_WINDOW.finditer(text)):
        if tries >= PHONE_TRIES:
            return
        # A character on each side: the matcher looks at what is before and after a number.
        offset = max(0, window.start() - 1)
        for start, end, value, raw in _numbers_cached(text[offset : window.end() + 1], region):
            yield offset + start, offset + end, value, raw


def _numbers(text: str, region: str) -> list[tuple[int, int, str, str]]:
    matcher = phonenumbers.PhoneNumberMatcher(text, region, leniency=phonenumbers.Leniency.VALID, max_tries=PHONE_TRIES)
    return [
        (
            match.start,
            match.end,
            phonenumbers.format_number(match.number, phonenumbers.PhoneNumberFormat.E164),
            match.raw_string,
        )
        for match in matcher
    ]


_numbers_cached = functools.lru_cache(maxsize=4096)(_numbers)


@functools.cache
def _mobile_digits(region: str) -> "re.Pattern | None":
    """The region's mobile numbers, national digits only (libphonenumber's metadata): a candidate
    that is not one is dropped before the ~100 us of parsing it."""
    metadata = phonenumbers.PhoneMetadata.metadata_for_region(region)
    pattern = metadata.mobile.national_number_pattern if metadata is not None and metadata.mobile else None
    return re.compile(f"(?:{pattern})") if pattern else None


def _without_zero(text: str, region: str):
    """(start, end, E.164 value, raw) of the region's mobile numbers written without their trunk 0,
    where ``NO_ZERO`` says they cannot be figures."""
    mobile = _mobile_digits(region)
    if not _trunk_zero(region) or mobile is None:
        return
    for tries, match in enumerate(NO_ZERO.finditer(text)):
        if tries >= PHONE_TRIES:
            return
        raw = match.group()
        if NOT_BEFORE.search(text, max(0, match.start() - 2), match.start()):
            continue
        if match.group("separator") is None and not PHONE_CUE.search(text, max(0, match.start() - 16), match.start()):
            continue  # a bare run of digits: a figure as likely as a phone
        if not mobile.fullmatch(re.sub(r"\D", "", raw)):
            continue
        value = _phone_number(raw, region, mobile=True)
        if value is not None:
            yield match.start(), match.end(), value, raw


def _phones(text: str, region: str, taken: list[tuple[int, int]]):
    found = list(_phone_matches(text, region))
    spans = _merged(taken)
    starts = [start for start, _end in spans]
    with_zero = _merged([(start, end) for start, end, _value, _raw in found])
    zero_starts = [start for start, _end in with_zero]
    for start, end, value, raw in _without_zero(text, region):
        before = bisect.bisect_left(zero_starts, end) - 1
        if before < 0 or with_zero[before][1] <= start:  # not the tail of "+32 470 12 34 56"
            found.append((start, end, value, raw))
    for start, end, value, raw in sorted(found):
        before = bisect.bisect_left(starts, end) - 1  # the last span starting before its end
        if before >= 0 and spans[before][1] > start:
            continue
        yield start, end, Identifier(PHONE, value, raw)
