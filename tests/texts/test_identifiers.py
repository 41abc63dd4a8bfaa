"""Identifiers found in a text, normalised, and the look-alikes that are not kept (no database)."""

from texts.identifiers import (
    BTC,
    EMAIL,
    ETH,
    IBAN,
    MAX_FOUND,
    ONION,
    PHONE,
    URL,
    XMR,
    count_identifiers,
    find_identifiers,
    identifier_of,
)

XMR_ADDRESS = "44AFFq5kSiGBoZ4NMDwYtN18obc8AemS33DBLWs3H7otXft3XjrpDtQGv7SqSsaBYBb98uNbr2VBBEt7f2wfn3RVGQBEP3A"
ONION_NAME = "duckduckgogg42xjoc72x3sjasowoarfbgcmvfimaftt6twagswzczad.onion"


def values(text: str, kind: str) -> list[str]:
    return [found.value for found in find_identifiers(text) if found.kind == kind]


def test_phone_numbers_in_any_usual_form_are_one_e164_number():
    text = "Élodie: 0470 12 34 56, +32 470 12 34 56 ou 0032470/12.34.56; bureau 02 555 12 12."
    assert values(text, PHONE) == ["+32470123456", "+32470123456", "+32470123456", "+3225551212"]
    assert count_identifiers(text)[PHONE, "+32470123456"] == (3, "0470 12 34 56")


def test_random_digit_runs_dates_and_card_numbers_are_not_phones():
    text = "ref 12345678901234, carte 4111111111111111, le 20261207, dossier 987654321, 2026-12-07, n° 123456"
    assert values(text, PHONE) == []


def test_an_iban_is_kept_only_when_its_checksum_holds_and_its_digits_are_no_phone():
    text = "payer BE71 0961 2345 6769 ou BE71096123456769 ; pas BE72 0961 2345 6769 ni BE71 0961 2345 6768 VITE"
    assert values(text, IBAN) == ["BE71096123456769", "BE71096123456769"]
    assert values(text, PHONE) == []


def test_bitcoin_addresses_need_their_checksum():
    good = "1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2 bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq"
    bad = "1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN3 bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdx"
    assert values(f"{good} {bad}", BTC) == [
        "1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2",
        "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq",
    ]


def test_ethereum_mixed_case_must_carry_its_eip55_checksum():
    checksummed = "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed"
    wrong_case = "0x5aaeb6053F3E94C9b9A09f33669435E7Ef1BeAed"
    lower = "0xfb6916095ca1df60bb79ce92ce3ea74c37c5d359"
    too_long = "0x" + "ab" * 32  # a transaction hash, not an address
    assert values(f"{checksummed} {wrong_case} {lower} {too_long}", ETH) == [checksummed.lower(), lower]


def test_monero_addresses_need_their_keccak_checksum():
    broken = XMR_ADDRESS[:-1] + ("B" if XMR_ADDRESS[-1] != "B" else "C")
    assert values(f"xmr {XMR_ADDRESS} et {broken}", XMR) == [XMR_ADDRESS]


def test_e_mails_urls_and_onion_services():
    text = f"Écris à Falcon.Night@Example.ORG (voir https://Example.org/a?b=1). Tor: http://{ONION_NAME}/forum"
    assert values(text, EMAIL) == ["falcon.night@example.org"]
    assert values(text, URL) == ["https://example.org/a?b=1", f"http://{ONION_NAME}/forum"]
    assert values(text, ONION) == [ONION_NAME]
    assert values("a" * 56 + ".onion", ONION) == []  # v3 checksum and version
    # A file's name with an @ is a file, not a mailbox; an address in a name is kept (the control).
    assert values("DCIM/photo_12@2025.jpg backup@home.docx", EMAIL) == []
    assert values("invoice for jan@example.be.pdf", EMAIL) == ["jan@example.be"]


def test_the_search_box_reads_one_identifier_in_any_form():
    assert identifier_of("0470 12 34 56").value == "+32470123456"
    assert identifier_of("+32470123456").value == "+32470123456"
    assert identifier_of("be71 0961 2345 6769").value == "BE71096123456769"
    assert identifier_of("Falcon@Example.org").value == "falcon@example.org"
    assert identifier_of("darkfalcon") is None
    assert identifier_of("12345") is None
    assert identifier_of("0470 12 34 56 darkfalcon") is None
    # Quoted as a phrase, the same identifier (the text says "+32 470 12 34 56": no phrase of it matches).
    assert identifier_of('"0470 12 34 56"').value == "+32470123456"
    assert identifier_of('" BE71 0961 2345 6769 "').value == "BE71096123456769"
    assert identifier_of('"dark falcon"') is None and identifier_of('"0470" "12 34 56"') is None


def test_huge_texts_are_bounded():
    text = "x@example.org " * (MAX_FOUND + 100)
    assert len(find_identifiers(text)) == MAX_FOUND
    for hostile in ("1" * 200_000, "a@" * 100_000, "BE71" * 50_000, "http://" + "a" * 200_000, "0x" + "f" * 200_000):
        assert find_identifiers(hostile) == []


def test_a_mobile_written_without_its_zero_is_read_where_it_cannot_be_a_figure():
    assert values("Appelle Marc au 470 12 34 56 demain", PHONE) == ["+32470123456"]
    assert values("Marc: 470/12.34.56", PHONE) == ["+32470123456"]
    assert values("GSM 470123456 ; tél. : 471123456", PHONE) == ["+32470123456", "+32471123456"]
    # counted once where the number has its country code or its 0
    assert values("+32 470 12 34 56 ou 0470/12.34.56", PHONE) == ["+32470123456", "+32470123456"]


def test_a_nine_digit_figure_in_a_table_is_no_phone_even_when_it_could_be_one():
    # phonenumbers calls a bare 470123456 a valid Belgian mobile (the search box takes it so) ...
    assert identifier_of("470123456").value == "+32470123456"
    # ... but in a table of figures, bare or amid other figures, it is a figure
    table = "Lot | Montant\n1 | 470123456\n2 | 123456789\n3 | 471234567\nTotal 470 12 34 56 91 33"
    assert values(table, PHONE) == []
    assert values("prix 470 123 456 EUR, réf. 12 34 56 78", PHONE) == []  # grouped by thousands; not a mobile
    assert values("Total: 470 12 34 56", PHONE) == ["+32470123456"]  # control: grouped as a phone


QUICK_CHECK_SAMPLES = [
    "falcon@example.org",
    "https://example.org/a",
    "ftp://files.example.be",
    ONION_NAME,
    "BE71 0961 2345 6769",
    "BE71096123456769",
    "1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2",
    "BC1QAR0SRRR7XFKVY5L643LYDNW9RE59GTZZWF5MDQ",
    "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",
    XMR_ADDRESS,
    "0470 12 34 56",
    "+32 470 12 34 56",
    "0032470/12.34.56",
    "(02) 555 12 12",
    "470 12 34 56",
    "GSM 470123456",
    "+1 (650) 253-0000",
    "+683 4002",
]


def test_the_quick_check_before_the_finders_never_hides_an_identifier(monkeypatch):
    """``find_identifiers`` first asks ``may_hold_identifiers`` (one search instead of eight): on
    names and sentences around every kind of identifier, in two regions, what the finders find
    without the check is found with it; a name holding none is passed over."""
    import random

    from texts import identifiers

    rng = random.Random(5)
    words = ["IMG_0001.JPG", "Vakantie 2019", "contract", "/Users/jan/", "f012345.bin", "-", " ", "_", "(", ")", "."]
    texts = [
        "".join(rng.choice(words) for _ in range(rng.randint(1, 5)))
        + rng.choice(["", *QUICK_CHECK_SAMPLES])
        + "".join(rng.choice(words) for _ in range(rng.randint(0, 3)))
        for _ in range(600)
    ] + QUICK_CHECK_SAMPLES
    found_somewhere = 0
    for region in ("BE", "US"):
        for text in texts:
            with_check = identifiers.find_identifiers(text, region=region)
            with monkeypatch.context() as patch:
                patch.setattr(identifiers, "may_hold_identifiers", lambda *_args: True)
                without_check = identifiers.find_identifiers(text, region=region)
            assert with_check == without_check, (region, text)
            found_somewhere += bool(without_check)
    assert found_somewhere > 300  # the samples are found: the comparison is not between empty lists
    assert not identifiers.may_hold_identifiers("/Users/jan/Pictures/Vakantie 2019/IMG_0001.JPG")
    assert identifiers.may_hold_identifiers("/Users/jan/Pictures/falcon@example.org.txt")
