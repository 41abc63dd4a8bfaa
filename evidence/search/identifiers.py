"""The identifiers of the files (``evidence.models.FileIdentifier``), written where their text is:
by ``evidence.search.store.file_texts_save`` in the batch's transaction (ingest, the text index
job), and by the apps above evidence that read other things (a chat export's messages) through
``file_identifiers_add``."""

from django.conf import settings
from django.db import transaction
from django.db.models import F

from evidence.models import EvidenceFile, FileIdentifier
from texts.identifiers import count_identifiers, usernames_in

FoundIn = FileIdentifier.FoundIn


def _region() -> str:
    return settings.PHONE_REGION or "BE"


def _rows(record: EvidenceFile, found_in: str, found: dict) -> list[FileIdentifier]:
    return [
        FileIdentifier(
            file_id=record.pk,
            exhibit_id=record.exhibit_id,
            kind=kind,
            value=value,
            raw=raw[:512],
            found_in=found_in,
            count=count,
        )
        for (kind, value), (count, raw) in found.items()
    ]


def file_identifiers_save(files: list[EvidenceFile], sources: dict, *, new: bool = False) -> int:
    """Write the identifiers of saved ``files`` found in their texts: ``sources`` maps where they
    were found (a ``FoundIn`` that is also a ``FileText.Kind``: name, content, OCR, an image's tags)
    to the function giving a file's text there ("" for none). Replaces those a run before found
    there (not those the chats app added); ``new``: the files' rows were written in this
    transaction, so there is nothing to replace. Called inside the transaction that writes their
    texts. Returns the rows written."""
    files = [record for record in files if record.pk is not None]
    if not files:
        return 0
    region = _region()
    if not new:
        FileIdentifier.objects.filter(file_id__in=[record.pk for record in files], found_in__in=list(sources)).delete()
    rows = []
    for record in files:
        for found_in, text_of in sources.items():
            text = text_of(record)
            if text:
                rows += _rows(record, found_in, count_identifiers(text, region=region))
    FileIdentifier.objects.bulk_create(rows, batch_size=2000)
    return len(rows)


@transaction.atomic
def file_identifiers_add(*, file: EvidenceFile, found: dict, found_in: str = FoundIn.MESSAGE) -> int:
    """Add to ``file``'s identifiers what an app above evidence found in what it reads of the file
    (``found``: ``(kind, value) -> (occurrences, raw form)``, as ``identifiers_in`` gives, usernames
    included): counts added to those already recorded there. What the file's own text gave gives
    way: a chat export's messages, read one by one and whole, say what its JSON's text said (or
    more, past TEXT_MAX_CHARS), and would otherwise be counted twice. No audit event: like the
    file's text, a record of what the evidence holds, written by the worker that read it."""
    if not found:
        return 0
    FileIdentifier.objects.filter(file=file, found_in=FoundIn.CONTENT).delete()
    existing = {
        (row.kind, row.value): row.pk
        for row in FileIdentifier.objects.filter(
            file=file, found_in=found_in, value__in={value for _, value in found}
        ).only("kind", "value")
    }
    for key, (count, _raw) in found.items():
        if key in existing:
            FileIdentifier.objects.filter(pk=existing[key]).update(count=F("count") + count)
    new = {key: item for key, item in found.items() if key not in existing}
    FileIdentifier.objects.bulk_create(_rows(file, found_in, new), batch_size=2000)
    return len(found)


def file_identifiers_forget(*, file: EvidenceFile, found_in: str = FoundIn.MESSAGE) -> None:
    """Forget what was added there (a chat export read again replaces what its first reading found)."""
    FileIdentifier.objects.filter(file=file, found_in=found_in).delete()


def identifiers_in(texts, *, usernames: bool = False) -> dict:
    """``(kind, value) -> (occurrences, first raw form)`` over ``texts`` (an iterable of strings,
    each read apart: a chat's messages), with the installation's phone region; with ``usernames``,
    the @names they mention too."""
    region = _region()
    found: dict[tuple[str, str], tuple[int, str]] = {}
    for text in texts:
        if not text:
            continue
        items = count_identifiers(text, region=region)
        if usernames:
            for mention in usernames_in(text):
                count, raw = items.get((mention.kind, mention.value), (0, mention.raw))
                items[mention.kind, mention.value] = (count + 1, raw)
        for key, (count, raw) in items.items():
            before, first = found.get(key, (0, raw))
            found[key] = (before + count, first)
    return found
