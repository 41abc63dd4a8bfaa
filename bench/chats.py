"""Benchmark of chat exports (issue 8): a synthetic Telegram export ingested, then the accounts page.

Run alone: ``BENCH_ONLY=bench_telegram_export python bench/run.py``. ``CHATS_BENCH_MESSAGES``
(default 100,000) sets the size; media files are a quarter of the messages, accounts a tenth.
Imported by bench/run.py after Django is set up.
"""

import hashlib
import io
import json
import os
import random
import time
from datetime import UTC, datetime
from pathlib import Path

MESSAGES = int(os.environ.get("CHATS_BENCH_MESSAGES", "100000"))
CHATS = 20
PAGE = 50
SAMPLE = 300  # accounts timed one query each, for the per-row baseline


def write_export(folder: Path, messages: int, rng: random.Random) -> tuple[list[Path], list[bytes]]:
    """A whole-account export of ``messages`` messages in CHATS groups; every fourth carries a photo.

    Photos are small JPEGs of random pixels (32 x 24), each distinct. Returns the photo paths and
    the SHA-256 of one photo in twenty (for an alert list).
    """
    from PIL import Image

    photos_dir = folder / "photos"
    photos_dir.mkdir(parents=True)
    accounts = max(10, messages // 10)
    start = int(datetime(2025, 1, 1, tzinfo=UTC).timestamp())
    chats = [{"name": f"Group {n}", "type": "private_supergroup", "id": 1000 + n, "messages": []} for n in range(CHATS)]
    paths, listed = [], []
    for number in range(1, messages + 1):
        # Half the messages come from a few very active accounts, as in real groups; the rest from anyone.
        sender = min(int(rng.paretovariate(1.2)), accounts) if rng.random() < 0.5 else rng.randint(1, accounts)
        record = {
            "id": number,
            "type": "message",
            "date_unixtime": str(start + 30 * number),
            "from": f"Member {sender}",
            "from_id": f"user{sender}",
            "text": ["look ", {"type": "bold", "text": f"#{number}"}] if number % 3 else f"message {number}",
        }
        if number % 4 == 0:
            if number % 100 == 0:
                record["photo"] = "(File not included. Change data exporting settings to download.)"
            else:
                name = f"photos/photo_{number}.jpg"
                buffer = io.BytesIO()
                Image.frombytes("RGB", (32, 24), rng.randbytes(32 * 24 * 3)).save(buffer, "JPEG", quality=80)
                content = buffer.getvalue()
                (folder / name).write_bytes(content)
                paths.append(folder / name)
                record["photo"] = name
                if number % 80 == 0:
                    listed.append(hashlib.sha256(content).digest())
        chats[number % CHATS]["messages"].append(record)
    document = {"about": "bench", "chats": {"about": "", "list": chats}}
    (folder / "result.json").write_text(json.dumps(document))
    return paths, listed


def bench_telegram_export(work: Path) -> dict:
    from django.db import connection
    from django.db.models import Count, Max, Min, Q

    from bench.run import bench_exhibit, figure
    from chats.models import ChatAccount, ChatExport, ChatMessage
    from chats.selectors import dossier_accounts, known_by_category
    from evidence.ingest.jobs import ingest_job_create_from_path
    from evidence.ingest.pipeline import ingest_batch_process, ingest_job_enumerate
    from evidence.list_tasks import rematch_on_commit
    from evidence.models import IngestBatch
    from hashing.importers import hash_list_version_import
    from hashing.services import hash_list_version_create

    rng = random.Random(8)
    folder = work / "telegram" / "ChatExport"
    paths, listed = write_export(folder, MESSAGES, rng)
    exhibit, user = bench_exhibit("TELEGRAM")
    lines = "\n".join(digest.hex() for digest in listed).encode()
    version = hash_list_version_create(
        name="bench chats",
        kind="alert",
        default_category="1",
        stream=io.BytesIO(lines),
        file_name="l.txt",
        by=user,
    )
    hash_list_version_import(version=version, activated=rematch_on_commit)

    # Baseline: what the work is at its plainest, in this process: the JSON read whole, the media
    # files hashed (MD5, SHA-1, SHA-256 in one read).
    started = time.perf_counter()
    with (folder / "result.json").open("rb") as stream:
        parsed = sum(len(chat["messages"]) for chat in json.load(stream)["chats"]["list"])
    json_seconds = time.perf_counter() - started
    started = time.perf_counter()
    for path in paths:
        hashers = [hashlib.md5(), hashlib.sha1(), hashlib.sha256()]
        content = path.read_bytes()
        for hasher in hashers:
            hasher.update(content)
    hash_seconds = time.perf_counter() - started
    baseline_seconds = json_seconds + hash_seconds

    started = time.perf_counter()
    job = ingest_job_create_from_path(exhibit=exhibit, path=folder, by=user, queue=False)
    queue = list(ingest_job_enumerate(job=job))
    while queue:
        queue += ingest_batch_process(batch=IngestBatch.objects.get(pk=queue.pop(0)))
    elapsed = time.perf_counter() - started
    job.refresh_from_db()
    assert job.status == "done", job.status
    export = ChatExport.objects.get(job=job)
    assert export.messages_count == parsed == MESSAGES, (export.messages_count, parsed)
    chat_batch = export.batch
    chat_batch.refresh_from_db()
    chat_seconds = (chat_batch.finished_at - chat_batch.started_at).total_seconds()
    files = len(paths) + 1
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE chats_chatmessage")
        cursor.execute("ANALYZE chats_chataccount")

    # The accounts page's queries: one aggregate for the page (sorted by known material), its
    # count, and the categories of the page's accounts.
    dossier = exhibit.dossier
    accounts_total = ChatAccount.objects.filter(dossier=dossier).count()
    timings = []
    for _ in range(3):
        started = time.perf_counter()
        page = list(dossier_accounts(dossier, order="known")[:PAGE])
        dossier_accounts(dossier).count()
        known_by_category([account.pk for account in page])
        timings.append(time.perf_counter() - started)
    page_seconds = min(timings)
    assert page[0].known_count >= page[-1].known_count
    # Baseline: the same figures one query per account (what a template calling methods per row
    # does), timed on SAMPLE accounts and scaled to all of them, since sorting needs them all.
    sample = list(ChatAccount.objects.filter(dossier=dossier).values_list("pk", flat=True)[:SAMPLE])
    started = time.perf_counter()
    for pk in sample:
        ChatMessage.objects.filter(account_id=pk).aggregate(
            messages_count=Count("id", filter=Q(kind="message")),
            media_count=Count("id", filter=~Q(media_kind="")),
            known_count=Count("id", filter=Q(media__triage="known")),
            new_count=Count("id", filter=Q(media__triage__in=("new_image", "new_video"))),
            groups_count=Count("chat", distinct=True),
            first_at=Min("date"),
            last_at=Max("date"),
        )
    per_row_seconds = (time.perf_counter() - started) / len(sample) * accounts_total

    messages_rate = MESSAGES / chat_seconds
    base_messages_rate = MESSAGES / json_seconds
    files_rate = files / elapsed
    base_files_rate = files / baseline_seconds
    return {
        "telegram_export_ingest_seconds": figure(
            elapsed, f"s for {MESSAGES:,} messages and {files:,} files", baseline_seconds, baseline_seconds / elapsed
        ),
        "telegram_export_messages_per_s": figure(
            messages_rate, "messages/s", base_messages_rate, messages_rate / base_messages_rate
        ),
        "telegram_export_files_per_s": figure(files_rate, "files/s", base_files_rate, files_rate / base_files_rate),
        "chat_accounts_page_ms": figure(
            page_seconds * 1000,
            f"ms for {accounts_total:,} accounts",
            per_row_seconds * 1000,
            per_row_seconds / page_seconds,
        ),
    }


DESCRIPTIONS = [
    "- `telegram_export_ingest_seconds`, `..._messages_per_s`, `..._files_per_s` (issue 8): a synthetic"
    " Telegram Desktop export (whole account, 20 groups, 100,000 messages from 10,000 accounts, a photo on"
    " every fourth message: ~25,000 small JPEGs, 1 in 20 on an alert list) ingested in one process through"
    " the real services (files hashed, decoded, thumbnailed and matched; messages read by the streaming"
    " reader and stored). Baselines in the same run: `json.load` of the whole result.json (messages/s) and"
    " `json.load` plus hashlib's three hashes over the same photos (files/s, total time).",
    "- `chat_accounts_page_ms`: the accounts page's queries (the page of 50 accounts ranked by known material,"
    " one GROUP BY over all messages and their media; its count; the page's categories) against the same"
    " figures computed one query per account, timed on 300 accounts and scaled to all (a ratio > 1 means"
    " the aggregate is that many times faster).",
]
