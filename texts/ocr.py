"""Text read from a picture (OCR) with Tesseract, and from the pages of a PDF that have no text layer.

Tesseract runs as a child process (``tesseract stdin stdout``), the picture written to its standard
input as a greyscale PNM and its text read from its standard output: no temporary file holds a
picture of the evidence, and ``subprocess.run(timeout=...)`` kills the process past
``OcrLimits.max_seconds`` (pytesseract would add a dependency, write each picture to a temporary
file and hide the process it kills). One thread per Tesseract (OMP_THREAD_LIMIT=1): a worker is one
process per core already, and Tesseract's OpenMP threads would fight over the same cores.

Refusals (a picture too large, too long to read, unreadable) raise ``TextRefused`` with a message
code, as the other extractors do; a PDF keeps the pages read and says which were not.
"""

import functools
import io
import os
import shutil
import subprocess
import time
from dataclasses import dataclass, replace

from PIL import Image, ImageOps, UnidentifiedImageError
from pypdf import PdfReader
from pypdf.errors import PyPdfError

from config.messages import message
from texts.limits import TextRefused
from texts.sink import Extracted, Full, Sink

# The exhibit's text language (evidence TEXT_LANGUAGES) -> Tesseract's language data.
TESSERACT_LANGUAGES = {"english": "eng", "french": "fra", "dutch": "nld"}
DEFAULT_LANGUAGES = "eng+fra+nld"
# A picture narrower or lower than this holds no line of text worth reading (an icon, a spacer).
MIN_SIDE = 24
# A PDF page with at least this many characters in its text layer is not a scan.
PAGE_TEXT_CHARS = 16
# The pictures of one page read at most (a scan is one or a few; a page of thousands is a trap).
PAGE_PICTURES = 16
PDF_ERRORS = (ValueError, KeyError, TypeError, AttributeError, OSError, IndexError, RecursionError)


@dataclass(frozen=True)
class OcrLimits:
    """Per picture: seconds of Tesseract, pixels decoded; per PDF: scanned pages read, seconds in
    all (its pages looked at and its pictures read); characters kept."""

    max_seconds: float = 30.0
    max_file_seconds: float = 300.0
    max_pixels: int = 40_000_000
    max_pages: int = 50
    max_chars: int = 1_000_000
    languages: str = DEFAULT_LANGUAGES


def tesseract_languages(exhibit_language: str, default: str = DEFAULT_LANGUAGES) -> str:
    """The Tesseract languages for an exhibit's text language ("french" -> "fra"); ``default`` for
    any other (several languages read a page of any of them, at some cost in time)."""
    return TESSERACT_LANGUAGES.get(exhibit_language, default)


@functools.cache
def installed_languages() -> frozenset[str]:
    """The language data Tesseract has here (once per process); empty when Tesseract is missing."""
    if shutil.which("tesseract") is None:
        return frozenset()
    try:
        listed = subprocess.run(  # noqa: S603 - a fixed command
            ["tesseract", "--list-langs"], capture_output=True, timeout=30, check=False, env=_environment()
        )
    except (OSError, subprocess.TimeoutExpired):
        return frozenset()
    lines = listed.stdout.decode(errors="replace").splitlines()
    return frozenset(line.strip() for line in lines[1:] if line.strip())


def _environment() -> dict[str, str]:
    return {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "OMP_THREAD_LIMIT": "1", "LC_ALL": "C"}


def _languages(wanted: str) -> str:
    """Of ``wanted`` ("eng+fra+nld"), those installed; refused when none is."""
    installed = installed_languages()
    if not installed:
        raise TextRefused(message("ocr.unavailable"))
    present = [code for code in wanted.split("+") if code in installed]
    if not present:
        raise TextRefused(message("ocr.unavailable"))
    return "+".join(present)


def ocr_image(image: Image.Image, limits: OcrLimits | None = None) -> str:
    """The text Tesseract reads in ``image`` (a decoded PIL picture), or ``TextRefused``."""
    limits = limits or OcrLimits()
    width, height = image.size
    if width * height > limits.max_pixels:
        raise TextRefused(message("ocr.too_large", width=width, height=height, limit=limits.max_pixels))
    if min(width, height) < MIN_SIDE:
        return ""
    languages = _languages(limits.languages)
    picture = io.BytesIO()
    image.convert("L").save(picture, format="PPM")  # greyscale PGM: the fastest to write and to read
    command = ["tesseract", "stdin", "stdout", "-l", languages, "--psm", "3"]
    try:
        done = subprocess.run(  # noqa: S603 - fixed arguments; the picture goes through stdin
            command,
            input=picture.getvalue(),
            capture_output=True,
            timeout=limits.max_seconds,
            check=False,
            env=_environment(),
        )
    except subprocess.TimeoutExpired as error:  # run() killed Tesseract before raising
        raise TextRefused(message("ocr.time_limit", seconds=_seconds(limits.max_seconds))) from error
    except OSError as error:
        raise TextRefused(message("ocr.failed", reason=str(error))) from error
    if done.returncode != 0:
        reason = done.stderr.decode(errors="replace").strip().splitlines()[-1:] or [f"exit {done.returncode}"]
        raise TextRefused(message("ocr.failed", reason=reason[0][:300]))
    return done.stdout.decode("utf-8", errors="replace")


def _seconds(value: float) -> "int | str":
    return int(value) if float(value).is_integer() else str(value)


def open_picture(data: bytes, limits: OcrLimits) -> Image.Image:
    """``data`` decoded, upright (its EXIF orientation applied), its first frame; refused past the
    pixel cap before its pixels are decoded."""
    try:
        image = Image.open(io.BytesIO(data))
        width, height = image.size
        if width * height > limits.max_pixels:
            raise TextRefused(message("ocr.too_large", width=width, height=height, limit=limits.max_pixels))
        image.load()
        return ImageOps.exif_transpose(image) or image
    except TextRefused:
        raise
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, ValueError, SyntaxError) as error:
        raise TextRefused(message("ocr.unreadable", reason=str(error) or type(error).__name__)) from error


def ocr_picture(data: bytes, limits: OcrLimits | None = None) -> Extracted:
    """The text read in a picture file's bytes, or ``TextRefused``."""
    limits = limits or OcrLimits()
    sink = Sink(limits.max_chars)
    try:
        sink.add(ocr_image(open_picture(data, limits), limits))
    except Full:
        pass
    return sink.result()


def ocr_pdf(data: bytes, limits: OcrLimits | None = None) -> Extracted:
    """The text read in the pictures of a PDF's pages that have no text layer (a scan), page by page,
    at most ``max_pages`` of them. A page whose picture is refused is said in a finding, the others
    are read; a PDF that does not open is refused."""
    limits = limits or OcrLimits()
    sink = Sink(limits.max_chars)
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise TextRefused(message("text.pdf_encrypted"))
        pages = reader.pages
        count = len(pages)
    except TextRefused:
        raise
    except (PyPdfError, *PDF_ERRORS) as error:
        raise TextRefused(message("text.pdf_unreadable", reason=str(error) or type(error).__name__)) from error
    scanned, started = 0, time.monotonic()
    try:
        for number in range(count):
            if time.monotonic() - started >= limits.max_file_seconds:
                seconds = _seconds(limits.max_file_seconds)
                sink.findings.append(message("ocr.pdf_time_limit", seconds=seconds, page=number))
                break
            if scanned >= limits.max_pages:
                sink.findings.append(message("ocr.pages_stopped", count=limits.max_pages))
                break
            scanned += _page_read(pages, number, limits, sink, started)
    except Full:
        pass
    return sink.result()


def _page_read(pages, number: int, limits: OcrLimits, sink: Sink, started: float) -> int:
    """Read the pictures of page ``number`` if it has no text layer, one decoded at a time; 1 if it
    had pictures to read, else 0."""
    read = 0
    try:
        page = pages[number]
        if len((page.extract_text() or "").strip()) >= PAGE_TEXT_CHARS:
            return 0
        for picture in _page_pictures(page, limits):
            read = 1
            left = limits.max_file_seconds - (time.monotonic() - started)
            try:
                sink.add(ocr_image(picture, replace(limits, max_seconds=max(0.1, min(limits.max_seconds, left)))))
            except TextRefused as refusal:
                sink.findings.append(message("ocr.page_failed", page=str(number + 1), reason=refusal.message))
            sink.add("\n")
    except TextRefused as refusal:
        sink.findings.append(message("ocr.page_failed", page=str(number + 1), reason=refusal.message))
    except (PyPdfError, *PDF_ERRORS) as error:
        sink.findings.append(message("ocr.page_failed", page=str(number + 1), reason=str(error)[:300]))
    if read:
        sink.add("\f\n")
    return read


def _page_pictures(page, limits: OcrLimits):
    """The page's pictures (its image XObjects), each checked against the pixel cap by the size it
    declares before it is decoded."""
    resources = page.get("/Resources")
    xobjects = resources.get_object().get("/XObject") if resources is not None else None
    if xobjects is None:
        return
    for count, (name, reference) in enumerate(xobjects.get_object().items()):
        if count >= PAGE_PICTURES:
            return
        image = reference.get_object()
        if image.get("/Subtype") != "/Image":
            continue
        width, height = int(image.get("/Width", 0)), int(image.get("/Height", 0))
        if width * height > limits.max_pixels:
            raise TextRefused(message("ocr.too_large", width=width, height=height, limit=limits.max_pixels))
        if min(width, height) < MIN_SIDE:
            continue
        yield page.images[name].image
