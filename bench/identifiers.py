"""Benchmark of the identifiers found in texts (issue 23): ``texts.identifiers.find_identifiers``
over synthetic documents in French, Dutch and English with identifiers sprinkled in (one word in
40, or in 1,000), against one pass of the search's word splitting over the same texts (``texts.query.WORDS``,
a linear baseline: what reading the text costs at least). Plain Python, no database.

Run alone: ``python bench/identifiers.py`` (``IDENTIFIERS_BENCH_MB``, default 8, sets the size).
"""

import os
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from texts.identifiers import find_identifiers  # noqa: E402
from texts.query import WORDS  # noqa: E402

MEGABYTES = float(os.environ.get("IDENTIFIERS_BENCH_MB", "8"))
DOCUMENT_CHARS = 20_000
VOCABULARY = (
    "le la les de du des et à un une rendez-vous gare demain soir argent virement compte "
    "de het een en van in op met voor niet morgen station geld rekening betaling "
    "the of and to in is for on with meeting tomorrow money account transfer 2026 12 07 18h30 n° 42"
).split()
IDENTIFIERS = (
    "0470 12 34 56",
    "+32 2 555 12 12",
    "BE71 0961 2345 6769",
    "darkfalcon@example.org",
    "https://example.org/item/8841?ref=mail",
    "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq",
    "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",
    "ref 12345678901234",
)


def documents(rng: random.Random, share: float = 0.025) -> list[str]:
    texts, total = [], 0
    while total < MEGABYTES * 1_000_000:
        words = []
        while sum(len(word) + 1 for word in words) < DOCUMENT_CHARS:
            words.append(rng.choice(IDENTIFIERS) if rng.random() < share else rng.choice(VOCABULARY))
        texts.append(" ".join(words))
        total += len(texts[-1])
    return texts


def measure(share: float) -> dict:
    texts = documents(random.Random(23), share)
    size = sum(len(text.encode()) for text in texts) / 1e6
    started = time.perf_counter()
    for text in texts:
        WORDS.findall(text)
    baseline = time.perf_counter() - started
    started = time.perf_counter()
    found = sum(len(find_identifiers(text)) for text in texts)
    elapsed = time.perf_counter() - started
    return {
        "identifiers_mb_per_s": round(size / elapsed, 2),
        "words_split_mb_per_s": round(size / baseline, 2),
        "ratio": round(baseline / elapsed, 3),
        "identifiers_found": found,
        "documents": len(texts),
        "megabytes": round(size, 1),
    }


def main() -> dict:
    """Dense (one word in 40 an identifier, dates and numbers everywhere) and sparse (one in 1,000)."""
    results = {"dense": measure(0.025), "sparse": measure(0.001)}
    print(results)
    return results


if __name__ == "__main__":
    main()
