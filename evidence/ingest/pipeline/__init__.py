"""The ingestion pipeline that the Celery tasks run: list, hash, match, expand archives.

A job lists its sources into batches of files; any worker may take any batch. A batch hashes
each file in one read, matches the whole batch in one query and saves it in one transaction.
An archive found on the way gets a batch of its own that walks it (evidence.ingest.archives) and adds
its members. The job's state is derived from its batches.

The package: ``enumeration`` (sources into batches), ``batches`` (one batch, by kind), ``files``
(one file: digests, type, decode), ``containers`` (archives and disk images), ``state`` (the job's
state derived from its batches).
"""

from evidence.ingest.pipeline.batches import ingest_batch_process
from evidence.ingest.pipeline.enumeration import ingest_job_enumerate
from evidence.ingest.pipeline.state import batch_kind_of, ingest_job_refresh

__all__ = ["batch_kind_of", "ingest_batch_process", "ingest_job_enumerate", "ingest_job_refresh"]
