from django.db import migrations

# A chain of custody is evidence in court: PostgreSQL refuses any UPDATE or DELETE of a custody
# event, whoever asks (the ORM, psql, a bug), as it does for the audit log (audit 0002). A mistake
# is corrected by a new event. TRUNCATE is left to the test runner's flush.
FORWARD = """
CREATE OR REPLACE FUNCTION evidence_custody_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'evidence_custodyevent is append-only (%% refused)', TG_OP;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER evidence_custody_append_only BEFORE UPDATE OR DELETE ON evidence_custodyevent
    FOR EACH ROW EXECUTE FUNCTION evidence_custody_refuse_change();
"""
BACKWARD = """
DROP TRIGGER IF EXISTS evidence_custody_append_only ON evidence_custodyevent;
DROP FUNCTION IF EXISTS evidence_custody_refuse_change();
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD)


class Migration(migrations.Migration):
    dependencies = [("evidence", "0015_source_grants")]
    operations = [migrations.RunPython(forward, backward)]
