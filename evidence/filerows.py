"""Writing many EvidenceFile rows at once: the database side of ingesting small files.

Measured on a job of small files, Django's ``bulk_create`` spent most of the listing building one
INSERT with thousands of placeholders (and psycopg most of the rest parsing it), and one UPDATE
per file most of the saving. On PostgreSQL both go through COPY instead: new rows straight into
the table, results into a temporary table joined by one UPDATE. Other databases (SQLite, the
no-config demo) keep the ORM's path.
"""

from django.db import connection, transaction
from psycopg.types.json import Jsonb

from evidence.models import EvidenceFile


def _columns(names=None):
    fields = [field for field in EvidenceFile._meta.concrete_fields if names is None or field.attname in names]
    json_fields = {field.attname for field in fields if field.get_internal_type() == "JSONField"}
    return fields, json_fields


def _row(record: EvidenceFile, fields, json_fields) -> list:
    row = []
    for field in fields:
        value = getattr(record, field.attname)
        if field.attname in json_fields:
            value = None if value is None else Jsonb(value)
        elif isinstance(value, memoryview):
            value = bytes(value)
        row.append(value)
    return row


def insert_files(records: list[EvidenceFile]) -> list[EvidenceFile]:
    """Insert new (unsaved) records and give each its primary key; ``bulk_create`` on other databases.

    On PostgreSQL the keys are taken from the table's sequence first, so that each record knows its
    own without a RETURNING clause, and the rows go in with one COPY.
    """
    if not records:
        return records
    if connection.vendor != "postgresql":
        return EvidenceFile.objects.bulk_create(records)
    table = EvidenceFile._meta.db_table
    fields, json_fields = _columns()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)", [table, len(records)]
        )
        for record, (pk,) in zip(records, cursor.fetchall(), strict=True):
            record.pk = pk
            record._state.adding = False
            record._state.db = "default"
        names = ", ".join(connection.ops.quote_name(field.column) for field in fields)
        with cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
            for record in records:
                copy.write_row(_row(record, fields, json_fields))
    return records


def insert_listed_files(common: dict, listed: list[dict]) -> list[int]:
    """Insert one new row per dict of ``listed`` (attnames to values), every row also taking the
    values of ``common`` and the model's defaults for the rest; return their ids, in order.

    The listing's path: no model instance per file (building one cost about as much as writing
    its row). On PostgreSQL the rows are made from one template row and sent with one COPY;
    other databases go through ``bulk_create``.
    """
    if not listed:
        return []
    if connection.vendor != "postgresql":
        return [r.pk for r in EvidenceFile.objects.bulk_create([EvidenceFile(**common, **one) for one in listed])]
    table = EvidenceFile._meta.db_table
    fields, json_fields = _columns()
    template = _row(EvidenceFile(**common), fields, json_fields)
    position = {field.attname: index for index, field in enumerate(fields)}
    id_position = position["id"]
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)", [table, len(listed)]
        )
        ids = [pk for (pk,) in cursor.fetchall()]
        names = ", ".join(connection.ops.quote_name(field.column) for field in fields)
        with cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
            for pk, one in zip(ids, listed, strict=True):
                row = template.copy()
                row[id_position] = pk
                for name, value in one.items():
                    row[position[name]] = Jsonb(value) if name in json_fields and value is not None else value
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
    fields, json_fields = _columns(set(names))
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
    with transaction.atomic(), connection.cursor() as cursor:
        # Same column types as the table; dropped at the end of this transaction.
        cursor.execute(
            f"CREATE TEMP TABLE {staging} ON COMMIT DROP AS SELECT id, {columns} FROM {table} WITH NO DATA"  # noqa: S608
        )
        with cursor.copy(f"COPY {staging} (id, {columns}) FROM STDIN") as copy:
            for record in files:
                copy.write_row([record.pk, *_row(record, fields, json_fields)])
        cursor.execute(f"UPDATE {table} f SET {assignments} FROM {staging} r WHERE f.id = r.id")  # noqa: S608
        cursor.execute(f"DROP TABLE {staging}")
