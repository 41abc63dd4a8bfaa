"""A text column turned into JSON in place, its old text kept as a JSON string (config.messages).

Old rows hold English sentences written before worker messages had codes: each becomes the JSON
string of the same text, which ``config.messages.render`` shows as stored. No row is rewritten by
Python: one ``ALTER ... USING to_jsonb`` on PostgreSQL, one ``UPDATE ... json_quote`` on SQLite.
"""

from django.db import migrations


def text_to_json(app_label: str, model_name: str, name: str, field, *, empty: str = '""'):
    """Operation: the text field ``name`` of ``app_label.model_name`` becomes ``field`` (a JSONField).

    ``empty`` is the JSON that an empty text becomes ('""', or '[]' for a list of messages).
    """

    def forwards(apps, schema_editor):
        _convert(apps, schema_editor, app_label, model_name, name, field, empty, reverse=False)

    def backwards(apps, schema_editor):
        _convert(apps, schema_editor, app_label, model_name, name, field, empty, reverse=True)

    return migrations.SeparateDatabaseAndState(
        state_operations=[migrations.AlterField(model_name=model_name, name=name, field=field)],
        database_operations=[migrations.RunPython(forwards, backwards)],
    )


def _convert(apps, schema_editor, app_label, model_name, name, field, empty, *, reverse):
    model = apps.get_model(app_label, model_name)
    old = model._meta.get_field(name)
    new = field.clone()
    new.set_attributes_from_name(name)
    new.model = model
    if reverse:
        old, new = new, old
    # Only quoted identifiers and this module's constants go into the statements (no user data).
    quote = schema_editor.quote_name
    table, column = quote(model._meta.db_table), quote(old.column)
    if schema_editor.connection.vendor == "postgresql":
        if reverse:
            using = (
                f"CASE WHEN jsonb_typeof({column}) = 'string' THEN {column} #>> '{{}}' "
                f"WHEN {column} = '{empty}'::jsonb THEN '' ELSE {column}::text END"
            )
            schema_editor.execute(f"ALTER TABLE {table} ALTER COLUMN {column} TYPE text USING {using}")
        else:
            using = f"CASE WHEN {column} = '' THEN '{empty}'::jsonb ELSE to_jsonb({column}) END"
            schema_editor.execute(f"ALTER TABLE {table} ALTER COLUMN {column} TYPE jsonb USING {using}")
        return
    if reverse:
        schema_editor.execute(
            f"UPDATE {table} SET {column} = CASE WHEN json_type({column}) = 'text' "  # noqa: S608
            f"THEN json_extract({column}, '$') WHEN {column} = '{empty}' THEN '' ELSE {column} END"
        )
    else:
        schema_editor.execute(
            f"UPDATE {table} SET {column} = CASE WHEN {column} = '' THEN '{empty}' ELSE json_quote({column}) END"  # noqa: S608
        )
    schema_editor.alter_field(model, old, new)
