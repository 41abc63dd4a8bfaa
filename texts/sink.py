"""Where extracted text is gathered: cleaned, and capped at a number of characters."""

import re
from dataclasses import dataclass, field

from config.messages import Message

# C0 controls but tab, line feed and carriage return: never text a person reads, and the search
# marks its highlights with two of them (\x02, \x03), so text never holds them. NUL is refused by
# PostgreSQL in text.
CONTROLS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
BLANK_LINES = re.compile(r"\n[ \t\r\n]*\n")


class Full(Exception):
    """The cap is reached: the extractor stops reading."""


@dataclass
class Extracted:
    """A file's text, whether it was cut at the cap, and what is worth knowing (a time limit hit)."""

    text: str
    truncated: bool = False
    findings: list[Message] = field(default_factory=list)


class Sink:
    """Pieces of text appended up to ``max_chars``; ``Full`` when the cap is reached."""

    def __init__(self, max_chars: int):
        self.max_chars, self.pieces, self.size, self.truncated = max_chars, [], 0, False
        self.findings: list[Message] = []

    def add(self, text: str | None) -> None:
        if not text:
            return
        text = CONTROLS.sub(" ", text)
        room = self.max_chars - self.size
        if len(text) > room:
            self.pieces.append(text[:room])
            self.size, self.truncated = self.max_chars, True
            raise Full
        self.pieces.append(text)
        self.size += len(text)

    def result(self) -> Extracted:
        text = BLANK_LINES.sub("\n\n", "".join(self.pieces)).strip()
        return Extracted(text=text, truncated=self.truncated, findings=self.findings)
