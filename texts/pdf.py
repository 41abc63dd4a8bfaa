"""A PDF's text layer, page by page (pypdf), within the file's time budget.

The budget is checked between pages: a slow page finishes, then the text read so far is kept with
a finding. pypdf bounds what one stream may inflate to; a file that is not a PDF, or is damaged
past reading, is refused with the reader's words.
"""

import io
import logging

from pypdf import PdfReader
from pypdf.errors import FileNotDecryptedError, PdfReadError, PyPdfError

from config.messages import message
from texts.limits import Budget, TextRefused
from texts.sink import Sink

# pypdf logs each damaged object it works around: hostile files would flood the worker's log.
logging.getLogger("pypdf").setLevel(logging.ERROR)


def pdf_text(data: bytes, sink: Sink, budget: Budget) -> None:
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):  # an owner password alone still opens
            raise TextRefused(message("text.pdf_encrypted"))
        pages = reader.pages
        count = len(pages)
    except TextRefused:
        raise
    except FileNotDecryptedError as error:
        raise TextRefused(message("text.pdf_encrypted")) from error
    except (PdfReadError, PyPdfError, ValueError, KeyError, TypeError, AttributeError, OSError) as error:
        raise TextRefused(message("text.pdf_unreadable", reason=str(error) or type(error).__name__)) from error
    for number in range(count):
        if budget.spent:
            sink.findings.append(message("text.time_limit", seconds=int(budget.limits.max_seconds)))
            return
        try:
            sink.add(pages[number].extract_text())
        except (PdfReadError, PyPdfError, ValueError, KeyError, TypeError, AttributeError, OSError) as error:
            if number == 0:
                raise TextRefused(message("text.pdf_unreadable", reason=str(error) or type(error).__name__)) from error
            return  # a damaged page further on: the pages before it are kept
        sink.add("\n\f\n")
