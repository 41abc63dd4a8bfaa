"""Acquisition verification: an image's media hashes against what the image and the examiner say.

Plain Python: no Django here. An acquiring tool hashes the media (the disk's bytes, not the image
file): an E01 stores those hashes, and the examiner enters them on the exhibit. Reading the media
once through hashlib gives the hashes to compare them with.
"""

from dataclasses import dataclass

MATCH, MISMATCH, NOT_AVAILABLE, ERROR = "match", "mismatch", "not_available", "error"
ALGORITHMS = ("md5", "sha1", "sha256")


@dataclass(frozen=True)
class Comparison:
    source: str  # who claims the hash: the E01 itself, or an acquisition recorded on the exhibit
    algorithm: str
    expected: str  # lowercase hex
    computed: str

    @property
    def result(self) -> str:
        return MATCH if self.expected == self.computed else MISMATCH


def compare(computed: dict[str, str], claims: list[tuple[str, dict[str, str]]]) -> list[Comparison]:
    """One comparison per claimed hash that was also computed; ``claims``: (source, {algorithm: hex})."""
    rows = []
    for source, hashes in claims:
        for algorithm in ALGORITHMS:
            expected = (hashes.get(algorithm) or "").strip().lower()
            if expected and computed.get(algorithm):
                rows.append(Comparison(source, algorithm, expected, computed[algorithm]))
    return rows


def overall(rows: list[Comparison], read_in_full: bool) -> str:
    """error: the media could not be read to its end; not_available: nothing to compare with."""
    if not read_in_full:
        return ERROR
    if not rows:
        return NOT_AVAILABLE
    return MISMATCH if any(row.result == MISMATCH for row in rows) else MATCH
