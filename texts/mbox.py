"""A mailbox in mbox format: its messages one after the other, each read as an e-mail (texts.mail).

Messages are split on the "From " lines that start them; each is bounded like an .eml (nesting,
parts), and the mailbox by the number of messages (``max_parts``) and the file's time budget. A
message refused is said in a finding and the next one read.
"""

import re

from config.messages import message
from texts.limits import Budget, TextRefused
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
        try:
            mail_text(data[start:end], sink, budget)
        except TextRefused as refusal:
            # One hostile message (nested too deep, too many parts) does not cost the others.
            if number == 0 and len(starts) == 1:
                raise
            sink.findings.append(message("text.mbox_message_skipped", number=str(number + 1), reason=refusal.message))
        sink.add("\n\n")
