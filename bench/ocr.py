"""OCR (issue 23): pages per second per core and word accuracy of ``texts.ocr`` on rendered pages.

Each page is an A4 sheet at 300 dpi (2480 x 3508 pixels) of benign paragraphs in English, French or
Dutch, drawn with Pillow in DejaVu Sans at 11 points, greyscale, as a scanner gives a printed letter.
Our path (``texts.ocr.ocr_image``: the picture in memory, written to Tesseract's standard input as a
PGM, one thread) is timed against the Tesseract command line on the same page saved as a PNG file
(one thread too: OMP_THREAD_LIMIT=1), pages one after the other so that both run on one core. Word
accuracy: the share of the rendered words found, in order, in what was read (difflib's matching
blocks over words, lower case, letters and digits only), with the three languages at once (what an
exhibit of no chosen language gets) against the page's own language alone.
"""

import difflib
import os
import random
import re
import subprocess
import time
from pathlib import Path

FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
A4_300_DPI = (2480, 3508)
WORDS = re.compile(r"[^\W_]+")
SENTENCES = {
    "eng": [
        "The tenant shall pay the rent before the fifth day of each month.",
        "Please find attached the minutes of the meeting held on Tuesday morning.",
        "The keys of the apartment will be handed over at the station on Friday.",
        "Our new address is written at the bottom of this letter.",
        "The parcel was delivered to the neighbour because nobody answered the door.",
        "Thank you for your quick reply and for the documents you sent.",
    ],
    "fra": [
        "Le locataire verse le loyer avant le cinq de chaque mois.",
        "Veuillez trouver ci-joint le compte rendu de la réunion de mardi.",
        "Les clés de l'appartement seront remises à la gare vendredi soir.",
        "Notre nouvelle adresse figure au bas de cette lettre.",
        "Le colis a été déposé chez le voisin, personne n'ayant répondu.",
        "Je vous remercie de votre réponse rapide et des documents envoyés.",
    ],
    "nld": [
        "De huurder betaalt de huur vóór de vijfde van elke maand.",
        "In bijlage vindt u het verslag van de vergadering van dinsdag.",
        "De sleutels van het appartement worden vrijdag aan het station afgegeven.",
        "Ons nieuwe adres staat onderaan deze brief vermeld.",
        "Het pakket werd bij de buren afgeleverd omdat niemand opendeed.",
        "Bedankt voor uw snelle antwoord en voor de documenten.",
    ],
}


def _wrapped(paragraph: str, draw, font, width: int) -> list[str]:
    lines, line = [], ""
    for word in paragraph.split():
        trial = f"{line} {word}".strip()
        if line and draw.textlength(trial, font=font) > width:
            lines.append(line)
            line = word
        else:
            line = trial
    return [*lines, line]


def rendered_page(language: str, seed: int):
    """(picture, text drawn) of an A4 page at 300 dpi of paragraphs in ``language``."""
    from PIL import Image, ImageDraw, ImageFont

    rng = random.Random(seed)
    font = ImageFont.truetype(FONT, 46)  # 11 points at 300 dpi
    page = Image.new("L", A4_300_DPI, 245)
    draw = ImageDraw.Draw(page)
    margin, line_height, drawn = 250, 66, []
    y, bottom = 300, A4_300_DPI[1] - 400
    while y < bottom:
        paragraph = " ".join(rng.choice(SENTENCES[language]) for _ in range(rng.randint(3, 5)))
        for line in _wrapped(paragraph, draw, font, A4_300_DPI[0] - 2 * margin):
            if y >= bottom:
                break
            draw.text((margin, y), line, font=font, fill=30)
            drawn.append(line)
            y += line_height
        y += line_height  # a blank line between paragraphs
    return page, "\n".join(drawn)


def word_accuracy(expected: str, read: str) -> float:
    truth, got = WORDS.findall(expected.lower()), WORDS.findall(read.lower())
    matcher = difflib.SequenceMatcher(a=truth, b=got, autojunk=False)
    return sum(block.size for block in matcher.get_matching_blocks()) / max(len(truth), 1)


def _command_line(path: Path, languages: str) -> str:
    environment = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "OMP_THREAD_LIMIT": "1"}
    done = subprocess.run(  # noqa: S603 - a fixed command on our own file
        ["tesseract", str(path), "stdout", "-l", languages], capture_output=True, check=True, env=environment
    )
    return done.stdout.decode()


def bench_ocr(work: Path) -> dict:
    from bench.run import SCALE, figure
    from texts.ocr import OcrLimits, ocr_image

    folder = work / "ocr"
    folder.mkdir()
    count = max(3, int(6 * SCALE))
    pages = []
    for number in range(count):
        language = ("eng", "fra", "nld")[number % 3]
        picture, text = rendered_page(language, number)
        path = folder / f"page-{number}.png"
        picture.save(path)
        pages.append((language, picture, text, path))
    three = OcrLimits(max_seconds=600, languages="eng+fra+nld")
    spent = {"ours": 0.0, "command_line": 0.0, "own_language": 0.0}
    accuracy = {"ours": 0.0, "command_line": 0.0, "own_language": 0.0}
    for language, picture, text, path in pages:  # interleaved: the machine's other work weighs on each alike
        own = OcrLimits(max_seconds=600, languages=language)
        for name, read, argument in (
            ("ours", lambda page, limits=three: ocr_image(page, limits), picture),
            ("command_line", lambda file: _command_line(file, "eng+fra+nld"), path),
            ("own_language", lambda page, limits=own: ocr_image(page, limits), picture),
        ):
            started = time.perf_counter()
            result = read(argument)
            spent[name] += time.perf_counter() - started
            accuracy[name] += word_accuracy(text, result)
    words = sum(len(WORDS.findall(text)) for _, _, text, _ in pages)
    ours, command_line, own = (spent[name] for name in ("ours", "command_line", "own_language"))
    return {
        "ocr_pages_per_s_per_core": figure(
            count / ours,
            f"A4 pages at 300 dpi/s, one Tesseract thread, eng+fra+nld ({count} pages of English, French and "
            "Dutch paragraphs); baseline: the tesseract command line on the same pages as PNG files",
            count / command_line,
            command_line / ours,
        ),
        "ocr_pages_per_s_own_language": figure(
            count / own,
            "A4 pages/s, one thread, the page's own language alone; baseline: the three languages at once",
            count / ours,
            ours / own,
        ),
        "ocr_word_accuracy": figure(
            accuracy["ours"] / count,
            f"share of the {words} rendered words read, in order, eng+fra+nld; baseline: the page's own language",
            accuracy["own_language"] / count,
            accuracy["ours"] / max(accuracy["own_language"], 1e-9),
        ),
    }


DESCRIPTIONS = [
    "- `ocr_*` (issue 23, `bench/ocr.py`): A4 pages at 300 dpi of benign paragraphs in English, French and "
    "Dutch drawn with Pillow (DejaVu Sans, 11 points), read by `texts.ocr.ocr_image` (the picture to "
    "Tesseract 5's standard input as a PGM, OMP_THREAD_LIMIT=1: one core). `ocr_pages_per_s_per_core`: "
    "against the tesseract command line reading the same page from a PNG file, one thread. "
    "`ocr_pages_per_s_own_language`: the page's own language alone against the three at once (what an "
    "exhibit of no chosen language gets). `ocr_word_accuracy`: share of the rendered words found in order in "
    "the text read (difflib over words), three languages against the page's own.",
]
