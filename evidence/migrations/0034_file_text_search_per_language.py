from django.db import migrations

# The search languages (evidence.models.texts.LANGUAGES) when this was written; a language added later
# gets its own index in its own migration (tests/evidence/test_text_languages.py checks that each has one).
LANGUAGES = ("simple", "english", "french", "dutch")


def per_language(apps, schema_editor):
    """PostgreSQL: one GIN index on the parts' tsvectors per search language, in place of one over all.

    A search asks each language's parts with the query as that language's configuration writes it
    (``evidence.search.selectors._matching``). Stemming a word in another language's rules can make
    a frequent lexeme of it ("duing*" is "du:*" in English: every word beginning with "du" in the
    French and Dutch parts), and one index over all the parts then handed every part holding it to
    be read and dropped for its language: 99,000 parts read to find 2,761, 1.7 s (bench/text_search.py,
    300,000 parts). With an index per language, each branch reads its own language's parts only."""
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in LANGUAGES:
        schema_editor.execute(
            f"CREATE INDEX file_text_search_{name} ON evidence_filetext USING gin (search) WHERE language = '{name}'"
        )
    schema_editor.execute("DROP INDEX IF EXISTS file_text_search")


def one_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE INDEX file_text_search ON evidence_filetext USING gin (search)")
    for name in LANGUAGES:
        schema_editor.execute(f"DROP INDEX IF EXISTS file_text_search_{name}")


class Migration(migrations.Migration):
    dependencies = [
        ("evidence", "0033_file_text_redundant_indexes"),
    ]

    operations = [migrations.RunPython(per_language, one_index)]
