"""The language of a text, among those the search stems in: French, Dutch or English, else "simple".

py3langid (a naive Bayes model over byte n-grams, the model shipped in the package, numpy only) is
asked among all the languages it knows, not only ours: restricted to French, Dutch and English it
calls a German text Dutch and stems it wrongly, where the whole model says German, and German is
searched as written ("simple"). Its answer is taken only when it is one of ours, sure enough, on a
text long enough: a short line, a table of figures or a list of names is searched as written, which
finds every word as typed, stems aside.

Cost: about 0.4 ms a KB on one core (py3langid counts n-grams in Python), on at most
``SAMPLE_CHARS`` of a text (~1.7 ms a part, however long); the model is loaded once a process, on
the first text (about 1 s, ~100 MB of memory).
"""

import functools
import itertools
import re

from py3langid.langid import MODEL_FILE, LanguageIdentifier

# What a part's language is read from: its beginning, about 600 words. A part is cut from one
# document. On 900 generated parts of ~5,000 characters in the three languages the answer was the
# language written for every one from 3,000 characters up (899 at 1,000); 20,000 characters cost
# four times more than 4,000 on the long parts of the text bench (bench/text_search.py), where the
# detection took more time than the extraction itself.
SAMPLE_CHARS = 4_000
# Fewer letters than this: too short to tell (a name, a date, a figure).
MIN_LETTERS = 16
# The model's probability (over all its languages) under which the text is searched as written.
MIN_PROBABILITY = 0.5
# py3langid's codes -> the search languages (evidence TEXT_LANGUAGES, PostgreSQL scelle_<name>).
SEARCHED = {"fr": "french", "nl": "dutch", "en": "english"}
UNSURE = "simple"
LETTER = re.compile(r"[^\W\d_]")


@functools.cache
def _identifier() -> LanguageIdentifier:
    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def text_language_detect(text: str) -> str:
    """The search language ``text`` is written in: "french", "dutch" or "english", else "simple" (another
    language, too short, figures, unsure). Reads at most its first ``SAMPLE_CHARS`` characters."""
    sample = text[:SAMPLE_CHARS]
    if sum(1 for _letter in itertools.islice(LETTER.finditer(sample), MIN_LETTERS)) < MIN_LETTERS:
        return UNSURE
    code, probability = _identifier().classify(sample)
    if code in SEARCHED and probability >= MIN_PROBABILITY:
        return SEARCHED[code]
    return UNSURE
