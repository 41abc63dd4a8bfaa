"""Worker messages are stored as codes and read in the reader's language (issue 19, "Robustness").

Every code of every catalogue must have its French and Belgian Dutch translation, with the same
parameters as its English text: a code added without them fails here.
"""

import re
from pathlib import Path

import pytest
from django.utils import translation
from django.utils.translation import trans_real

from config.messages import CATALOGUE, english, message, render

PLACEHOLDER = re.compile(r"%\((\w+)\)s")
LANGUAGES = ("fr", "nl-be")
# The apps whose workers store messages; each registers its catalogue when it is ready.
APPS = ("evidence", "hashing", "chats", "texts")


def english_text(code: str) -> str:
    return CATALOGUE[code]._args[0]


def test_each_app_registers_its_catalogue():
    prefixes = {code.split(".")[0] for code in CATALOGUE}
    assert {"archive", "disk", "file", "job", "image", "video", "list", "chat", "text", "search"} <= prefixes


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_code_is_translated_with_the_same_parameters(language):
    catalog = trans_real.translation(language)._catalog
    untranslated, mismatched = [], []
    for code in CATALOGUE:
        msgid = english_text(code)
        translated = catalog.get(msgid)
        if not translated:
            untranslated.append(code)
        elif set(PLACEHOLDER.findall(translated)) != set(PLACEHOLDER.findall(msgid)):
            mismatched.append(code)
    assert untranslated == [] and mismatched == []


@pytest.mark.parametrize("language", (*LANGUAGES, "en"))
def test_every_code_renders_with_its_declared_parameters(language):
    for code in CATALOGUE:
        params = {name: f"<{name}>" for name in PLACEHOLDER.findall(english_text(code))}
        with translation.override(language):
            said = render(message(code, **params))
        assert "%(" not in said and all(value in said for value in params.values()), (code, said)
        assert said != code


def test_a_french_and_a_dutch_reader_get_their_own_words_and_the_library_text_stays_as_is():
    stored = message("archive.member_unreadable", reason="Bad CRC-32 for file 'x.jpg'")
    with translation.override("fr"):
        assert render(stored) == "membre illisible : Bad CRC-32 for file 'x.jpg'"
    with translation.override("nl-be"):
        assert render(stored) == "onleesbaar onderdeel: Bad CRC-32 for file 'x.jpg'"
    assert english(stored) == "unreadable member: Bad CRC-32 for file 'x.jpg'"  # control


def test_a_message_inside_a_message_and_numbers_are_read_the_readers_way():
    stored = message("archive.whole_bomb", reason=message("archive.bomb", ratio=1500, limit=200))
    with translation.override("fr"):
        assert "l'archive dans son ensemble : taux de compression de 1\u202f500:1" in render(stored).replace(
            "\xa0", "\u202f"
        )
    assert english(stored).startswith("the archive as a whole: compression ratio 1,500:1")


def test_an_old_sentence_and_an_unknown_code_are_shown_as_stored():
    with translation.override("fr"):
        assert render("unreadable member: written before codes") == "unreadable member: written before codes"
        assert render(message("archive.from_a_newer_worker", size=3)) == "archive.from_a_newer_worker (size=3)"
        assert render("") == "" and render(None) == ""


def test_every_code_the_workers_write_is_declared():
    """A literal code given to ``message(...)`` anywhere in the apps is in a catalogue."""
    root = Path(__file__).resolve().parents[1]
    written = set()
    for app in APPS:
        for path in (root / app).rglob("*.py"):
            written |= set(re.findall(r"message\(\s*\"([a-z0-9_]+\.[a-z0-9_]+)\"", path.read_text()))
    assert written and written - set(CATALOGUE) == set()
