"""The bounds of one file's text extraction, and the refusal raised when a file passes them."""

import time
from dataclasses import dataclass, field

from config.messages import MessageError


class TextRefused(MessageError, ValueError):
    """The file's text was not extracted: ``message`` (a config.messages message) says why."""


@dataclass(frozen=True)
class Limits:
    """Bounds in characters, bytes and seconds; the caller takes them from the settings."""

    max_chars: int = 1_000_000
    max_bytes: int = 64 << 20
    max_member_bytes: int = 32 << 20
    max_seconds: float = 30.0
    max_depth: int = 8
    max_parts: int = 2000


@dataclass
class Budget:
    """The time left for one file, checked between pages, parts and members."""

    limits: Limits
    started: float = field(default_factory=time.monotonic)

    @property
    def spent(self) -> bool:
        return time.monotonic() - self.started > self.limits.max_seconds
