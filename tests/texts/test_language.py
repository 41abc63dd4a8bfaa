"""The language of a text, as the index reads it: French, Dutch or English, else words as written."""

from texts.language import SAMPLE_CHARS, text_language_detect

FRENCH = "Le suspect a été interpellé à son domicile. Les maisons voisines ont été perquisitionnées."
DUTCH = "De verdachte werd in zijn woning aangehouden. De huizen van de buren werden doorzocht."
ENGLISH = "The suspect was arrested at his home. The neighbouring houses were searched by the police."


def test_french_dutch_and_english_are_told_apart():
    assert text_language_detect(FRENCH) == "french"
    assert text_language_detect(DUTCH) == "dutch"
    assert text_language_detect(ENGLISH) == "english"
    assert text_language_detect("Rendez-vous à la gare du Midi à 14h, apporte la clé.") == "french"  # a short message


def test_another_language_is_not_called_one_of_ours():
    """German is close to Dutch: stemmed as Dutch its words would be cut wrongly, so it stays as written."""
    german = "Der Verdächtige wurde in seiner Wohnung festgenommen. Die Nachbarhäuser wurden durchsucht."
    assert text_language_detect(german) == "simple"
    assert text_language_detect(DUTCH) == "dutch"  # control


def test_figures_names_and_short_texts_stay_as_written():
    assert text_language_detect("12 345 678 ; 4.5 ; 2024-01-02 ; 99 88 77 ; 470123456 ; 1.250,00") == "simple"
    assert text_language_detect("IMG_20240102_123456.jpg") == "simple"
    assert text_language_detect("maison") == "simple"
    assert text_language_detect("") == "simple"
    assert text_language_detect("Les maisons de la rue sont vendues.") == "french"  # control: a sentence


def test_only_the_beginning_of_a_long_text_is_read():
    """The cost of a part is bounded: what follows SAMPLE_CHARS characters is not read."""
    padding = ("1234 " * SAMPLE_CHARS)[:SAMPLE_CHARS]
    assert text_language_detect(padding + FRENCH * 50) == "simple"
    assert text_language_detect(FRENCH * 50 + padding) == "french"  # control
