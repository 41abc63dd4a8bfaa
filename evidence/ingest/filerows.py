"""Writing many EvidenceFile rows at once: the database side of ingesting small files.

Measured on a job of small files, Django's ``bulk_create`` spent most of the listing building one
INSERT with thousands of placeholders (and psycopg most of the rest parsing it), and one UPDATE
per file most of the saving. On PostgreSQL both go through COPY instead: new rows straight into
the table, results into a temporary table joined by one UPDATE. Other databases (SQLite, the
no-config demo) keep the ORM's path.

A folder's files are not rows until their batch has their results: the batch's listing
(``BatchListing``) holds them, and each row is written once (``listed_records``, ``insert_files``).
Writing a row at listing and updating it with the results cost the database twice the work per
file (two row versions, two entries in every index) and the batch a load of its rows.
"""

from datetime import datetime

from django.db import connection, transaction
from django.db.models.base import ModelState
from psycopg.types.json import Jsonb

from evidence.models import EvidenceFile


class _Columns:
    """The concrete fields of EvidenceFile written by COPY (all, or the named attnames), and where
    in a row the values needing conversion sit: JSON (wrapped) and binary (a view loaded from the
    database, made bytes)."""

    def __init__(self, names=None):
        self.fields = [field for field in EvidenceFile._meta.concrete_fields if names is None or field.attname in names]
        self.attnames = [field.attname for field in self.fields]
        kinds = [field.get_internal_type() for field in self.fields]
        self.json = [position for position, kind in enumerate(kinds) if kind == "JSONField"]
        self.binary = [position for position, kind in enumerate(kinds) if kind == "BinaryField"]
        self.json_names = {self.attnames[position] for position in self.json}


def _json(value):
    """A JSON value for COPY. Most files' are empty: sent as their text (PostgreSQL parses it), not
    encoded each time."""
    if value is None:
        return None
    if not value and type(value) in (list, dict):
        return "[]" if type(value) is list else "{}"
    return Jsonb(value)


def _row(record: EvidenceFile, columns: _Columns) -> list:
    """The values of ``columns`` of ``record``, as COPY takes them (JSON wrapped, bytes not views)."""
    values = record.__dict__
    try:
        row = [values[name] for name in columns.attnames]
    except KeyError:  # a deferred field: loaded by the descriptor
        row = [getattr(record, name) for name in columns.attnames]
    for position in columns.json:
        row[position] = _json(row[position])
    for position in columns.binary:
        if type(row[position]) is memoryview:
            row[position] = bytes(row[position])
    return row


def insert_files(records: list[EvidenceFile]) -> list[EvidenceFile]:
    """Insert new (unsaved) records and give each its primary key; ``bulk_create`` on other databases.

    On PostgreSQL the keys are taken from the table's sequence first (``reserve_ids``), so that each
    record knows its own without a RETURNING clause, and the rows go in with one COPY. A record
    whose key was reserved earlier (at listing) keeps it.
    """
    if not records:
        return records
    if connection.vendor != "postgresql":
        return EvidenceFile.objects.bulk_create(records)
    table = EvidenceFile._meta.db_table
    columns = _Columns()
    with transaction.atomic(savepoint=False), connection.cursor() as cursor:
        keyless = [record for record in records if record.pk is None]
        for record, pk in zip(keyless, reserve_ids(len(keyless)), strict=True):
            record.pk = pk
        for record in records:
            record._state.adding = False
            record._state.db = "default"
        names = ", ".join(connection.ops.quote_name(field.column) for field in columns.fields)
        with cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
            for record in records:
                copy.write_row(_row(record, columns))
    return records


def reserve_ids(count: int) -> list:
    """``count`` new file ids from the table's sequence, in order (PostgreSQL); Nones elsewhere."""
    if connection.vendor != "postgresql" or not count:
        return [None] * count
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
            [EvidenceFile._meta.db_table, count],
        )
        return [pk for (pk,) in cursor.fetchall()]


def insert_listed_files(common: dict, listed: list[dict], ids: list | None = None) -> list[int]:
    """Insert one new row per dict of ``listed`` (attnames to values), every row also taking the
    values of ``common`` and the model's defaults for the rest; return their ids, in order. ``ids``:
    keys reserved for them earlier (``reserve_ids``), if any.

    The listing's path: no model instance per file (building one cost about as much as writing
    its row). On PostgreSQL the rows are made from one template row and sent with one COPY;
    other databases go through ``bulk_create``.
    """
    if not listed:
        return []
    if connection.vendor != "postgresql":
        keys = ids or [None] * len(listed)
        records = [EvidenceFile(**common, **one, id=pk) for one, pk in zip(listed, keys, strict=True)]
        return [r.pk for r in EvidenceFile.objects.bulk_create(records)]
    table = EvidenceFile._meta.db_table
    columns = _Columns()
    template = _row(EvidenceFile(**common), columns)
    position = {name: index for index, name in enumerate(columns.attnames)}
    id_position = position["id"]
    with transaction.atomic(savepoint=False), connection.cursor() as cursor:
        given = ids or [None] * len(listed)
        fresh = iter(reserve_ids(sum(pk is None for pk in given)))
        ids = [pk if pk is not None else next(fresh) for pk in given]
        names = ", ".join(connection.ops.quote_name(field.column) for field in columns.fields)
        with cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
            for pk, one in zip(ids, listed, strict=True):
                row = template.copy()
                row[id_position] = pk
                for name, value in one.items():
                    row[position[name]] = _json(value) if name in columns.json_names else value
                copy.write_row(row)
    return ids


def update_files(files: list[EvidenceFile], names: tuple[str, ...]) -> None:
    """Write the named fields (attnames, e.g. ``match_list_id``) of saved records, in one statement.

    Precondition: every record has a primary key.
    """
    if not files:
        return
    table = EvidenceFile._meta.db_table
    quote = connection.ops.quote_name
    written = _Columns(set(names))
    fields = written.fields
    if connection.vendor != "postgresql":
        assignments = ", ".join(f"{quote(field.column)} = %s" for field in fields)
        rows = [
            [field.get_db_prep_save(getattr(f, field.attname), connection) for field in fields] + [f.pk] for f in files
        ]
        with connection.cursor() as cursor:
            cursor.executemany(f"UPDATE {table} SET {assignments} WHERE id = %s", rows)  # noqa: S608 - names are ours
        return
    staging = f"{table}_results"
    columns = ", ".join(quote(field.column) for field in fields)
    assignments = ", ".join(f"{quote(field.column)} = r.{quote(field.column)}" for field in fields)
    with transaction.atomic(savepoint=False), connection.cursor() as cursor:
        # Same column types as the table; dropped at the end of this transaction.
        cursor.execute(
            f"CREATE TEMP TABLE {staging} ON COMMIT DROP AS SELECT id, {columns} FROM {table} WITH NO DATA"  # noqa: S608
        )
        with cursor.copy(f"COPY {staging} (id, {columns}) FROM STDIN") as copy:
            for record in files:
                copy.write_row([record.pk, *_row(record, written)])
        cursor.execute(f"UPDATE {table} f SET {assignments} FROM {staging} r WHERE f.id = r.id")  # noqa: S608
        cursor.execute(f"DROP TABLE {staging}")


# A batch's listing (evidence.models.BatchListing): its files before they are rows.
DATETIMES = frozenset(f.attname for f in EvidenceFile._meta.concrete_fields if f.get_internal_type() == "DateTimeField")


def batch_files_add(batch, exhibit_id: int, files: list[tuple[dict, dict | None]], common: dict) -> list[int]:
    """Give ``batch`` its files, ids reserved in their order: each of ``files`` is (its values, the
    same attnames for all, and ``now``). With ``now`` None the file goes to the batch's listing, to
    be written once with its results; otherwise its row is written now, with ``now`` too (an error
    found at listing, a file other work refers to before the batch runs). ``common``: values every
    file takes. Return the ids of the rows written now, in order."""
    ids = reserve_ids(len(files))
    listed = [(pk, values) for pk, (values, now) in zip(ids, files, strict=True) if now is None]
    rows = [(pk, values | now) for pk, (values, now) in zip(ids, files, strict=True) if now is not None]
    if listed:
        _listing_create(batch, exhibit_id, [values for _pk, values in listed], common, [pk for pk, _v in listed])
    table_values = {"exhibit_id": exhibit_id, "job_id": batch.job_id, "batch_id": batch.pk} | common
    return insert_listed_files(table_values, [values for _pk, values in rows], [pk for pk, _v in rows])


def _listing_create(batch, exhibit_id: int, listed: list[dict], common: dict, ids: list) -> None:
    """Keep ``listed`` (one dict of attnames to values per file, the same names in each) as
    ``batch``'s listing, with ``common`` and the ids reserved for them (``reserve_ids``; None
    elsewhere than on PostgreSQL). Times are kept in ISO 8601 (to the microsecond)."""
    from evidence.models import BatchListing

    fields = list(listed[0])
    times = [position for position, name in enumerate(fields) if name in DATETIMES]
    entries = []
    for pk, one in zip(ids, listed, strict=True):
        entry = [pk, *one.values()]
        for position in times:
            if entry[position + 1] is not None:
                entry[position + 1] = entry[position + 1].isoformat()
        entries.append(entry)
    BatchListing.objects.create(
        batch=batch,
        exhibit_id=exhibit_id,
        files=len(listed),
        bytes=sum(one.get("size", 0) for one in listed),
        fields=fields,
        common=common,
        entries=entries,
    )


def _listed(listing) -> tuple[list, list[dict]]:
    """The reserved ids and the values of each file of a listing (as loaded: fields, entries)."""
    fields, entries = listing
    times = [name for name in fields if name in DATETIMES]
    ids, values = [], []
    for pk, *row in entries:
        one = dict(zip(fields, row, strict=True))
        for name in times:
            if one[name] is not None:
                one[name] = datetime.fromisoformat(one[name])
        ids.append(pk)
        values.append(one)
    return ids, values


def listed_records(batch) -> list[EvidenceFile]:
    """The files of ``batch``'s listing as new (unsaved) records, in listing order; none without one.

    Each is a copy of one record made with the batch's values and the model's defaults (building a
    model instance per file cost about as much as writing its row), with its own mutable defaults.
    """
    from evidence.models import BatchListing

    found = BatchListing.objects.filter(batch=batch).values_list("common", "fields", "entries").first()
    if not found:
        return []
    common, *listing = found
    template = EvidenceFile(exhibit_id=batch.job.exhibit_id, job_id=batch.job_id, batch_id=batch.pk, **common).__dict__
    fields = EvidenceFile._meta.concrete_fields
    fresh = [(f.attname, f.default) for f in fields if f.has_default() and callable(f.default)]  # [] and {}
    records = []
    for pk, values in zip(*_listed(listing), strict=True):
        record = EvidenceFile.__new__(EvidenceFile)
        record.__dict__.update(template)
        record._state = ModelState()
        record.__dict__.update(values, id=pk)
        for name, default in fresh:
            record.__dict__[name] = default()
        records.append(record)
    return records


def listing_to_rows(batch, **values) -> int:
    """Turn ``batch``'s listing (if it still has one) into rows now, with ``values`` (e.g. a triage
    state and an error), and drop it; return how many rows. For a batch that will not process its
    files: they stay listed, as rows. Call it holding the batch's claim (``config.work_locks``)."""
    from evidence.models import BatchListing

    with transaction.atomic():
        listing = BatchListing.objects.select_for_update().filter(batch=batch).first()
        if listing is None:
            return 0
        common = {"exhibit_id": listing.exhibit_id, "job_id": batch.job_id, "batch_id": batch.pk}
        ids, listed = _listed((listing.fields, listing.entries))
        insert_listed_files(common | listing.common | values, listed, ids)
        listing.delete()
        return listing.files
