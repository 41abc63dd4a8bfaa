"""The staging table of one hash-list import (hashing.importers): every rich entry of the file, in
file order, duplicates included, then moved into ``hashing_hashentry`` keeping the first occurrence
of each (algorithm, value).

PostgreSQL: a TEMP table filled with COPY; SQLite (the no-config demo): executemany.
"""

import logging

from django.db import connection, transaction

from hashing.models import HashListVersion

log = logging.getLogger(__name__)
STAGING_COLUMNS = "ordinal, algorithm, value, category, series, name, extra, item"
# The first occurrence of each (algorithm, value). Sorted, the rows also reach the lookup index in
# its own order, which is much cheaper than random inserts. The digest comes first in the sort key:
# PostgreSQL then sorts on abbreviated keys of the bytea (3x faster than behind the smallint).
DEDUPE_POSTGRES = (
    "SELECT DISTINCT ON (value, algorithm) %s, algorithm, value, COALESCE(NULLIF(category, ''), %s),"
    " COALESCE(series, ''), COALESCE(name, ''), extra, item FROM {table} ORDER BY value, algorithm, ordinal"
)
# SQLite takes the bare columns of a min() group from the row holding the minimum.
DEDUPE_SQLITE = (
    "SELECT %s, algorithm, value, COALESCE(NULLIF(category, ''), %s), COALESCE(series, ''), COALESCE(name, ''),"
    " extra, item FROM"
    " (SELECT min(ordinal), algorithm, value, category, series, name, extra, item FROM {table}"
    " GROUP BY algorithm, value)"
)


class StagingTable:
    """A table private to this import that receives every entry in file order, duplicates included."""

    def __init__(self, version: HashListVersion):
        self.version = version
        self.table = f"hashlist_staging_{version.pk}"
        self.postgres = connection.vendor == "postgresql"
        extra_type = "jsonb" if self.postgres else "text"
        value_type = "bytea" if self.postgres else "blob"
        # TEMP: private to this database session, never written to the WAL, gone if the worker dies.
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {self.table}")
            cursor.execute(
                f"CREATE TEMP TABLE {self.table} (ordinal bigint, algorithm smallint, value {value_type},"
                f" category varchar(32), series varchar(255), name varchar(255), extra {extra_type}, item bigint)"
            )

    def write(self, rows: list[tuple]) -> None:
        if not rows:
            return
        with transaction.atomic(), connection.cursor() as cursor:
            if self.postgres:
                with cursor.copy(f"COPY {self.table} ({STAGING_COLUMNS}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
            else:
                # SQLite has no COPY; executemany is its bulk path (bulk_create would build a model per row).
                cursor.executemany(
                    f"INSERT INTO {self.table} ({STAGING_COLUMNS}) VALUES (%s, %s, %s, %s, %s, %s, %s, %s)",  # noqa: S608
                    rows,
                )

    def take_in(self, version: HashListVersion) -> int:
        """Stage every rich entry of ``version`` ahead of the file's own (ordinal 0); return how many.

        Their records (``HashEntry.item``) are numbered after the file's, so that an image of the
        active version and one of the file never share a record."""
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT COALESCE(MAX(item), 0) FROM {self.table}")  # noqa: S608
            after = cursor.fetchone()[0]
            cursor.execute(
                f"INSERT INTO {self.table} ({STAGING_COLUMNS})"  # noqa: S608
                " SELECT 0, algorithm, value, category, series, name, extra, item + %s FROM hashing_hashentry"
                " WHERE version_id = %s",
                [after, version.pk],
            )
            return cursor.rowcount

    def move_into_entries(self) -> int:
        """Insert the first occurrence of each (algorithm, value); return how many went in."""
        category = self.version.hash_list.default_category
        columns = "version_id, algorithm, value, category, series, name, extra, item"
        select = (DEDUPE_POSTGRES if self.postgres else DEDUPE_SQLITE).format(table=self.table)
        with connection.cursor() as cursor:
            if self.postgres:
                # The sort of DISTINCT ON in memory where it fits; no JIT (seconds of compiling for one query).
                cursor.execute("SET LOCAL work_mem = '512MB'")
                cursor.execute("SET LOCAL jit = off")
            cursor.execute(f"INSERT INTO hashing_hashentry ({columns}) {select}", [self.version.pk, category])  # noqa: S608
            return cursor.rowcount

    def drop(self) -> None:
        try:
            with connection.cursor() as cursor:
                cursor.execute(f"DROP TABLE IF EXISTS {self.table}")
        except Exception:  # noqa: BLE001 - a broken connection drops its TEMP tables anyway
            log.warning("could not drop %s", self.table)
