"""A mailbox in mbox format: its messages one after the other, each read as an e-mail (texts.mail).

Messages are split on the "From " lines that start them; each is bounded like an .eml (nesting,
parts), and the mailbox by the number of messages (``max_parts``) and the file's time budget.
"""

import re

from config.messages import message
from texts.limits import Budget
from texts.mail import mail_text
from texts.sink import Sink

SEPARATOR = re.compile(rb"^From [^\r\n]*\r?\n", re.MULTILINE)


def mbox_text(data: bytes, sink: Sink, budget: Budget) -> None:
    starts = [found.end() for found in SEPARATOR.finditer(data)] or [0]
    ends = [found.start() for found in SEPARATOR.finditer(data)][1:] + [len(data)]
    for number, (start, end) in enumerate(zip(starts, ends, strict=True)):
        if number >= budget.limits.max_parts or budget.spent:
            sink.findings.append(message("text.mbox_stopped", count=number))
            return
        mail_text(data[start:end], sink, budget)
        sink.add("\n\n")
