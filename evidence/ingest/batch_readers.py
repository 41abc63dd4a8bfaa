"""The readers of batch kinds that an app above evidence brings: a chat export is read by `chats`.

The pipeline knows the kind of each batch but not the app that reads it: that app registers its
reader when Django starts (its AppConfig.ready), and the pipeline asks here. One reader per kind,
called at one known point of ``ingest_batch_process``: the order stays visible, as with any call.
"""

from collections.abc import Callable

_readers: dict[str, Callable] = {}


def batch_reader_register(kind: str, reader: Callable) -> None:
    """``reader(batch=...)`` reads the batches of ``kind`` (an ``IngestBatch.Kind``)."""
    _readers[kind] = reader


def batch_reader_for(kind: str) -> Callable | None:
    return _readers.get(kind)
