"""Worker messages stored as codes (config.messages): the errors of files, jobs and image
verifications become JSON.

Old text is kept, as a JSON string, and still shown as stored.
"""

from django.db import migrations, models

from config.migration_operations import text_to_json
from config.messages import english


class Migration(migrations.Migration):
    dependencies = [("evidence", "0018_notices_and_file_log_from_hashing")]

    operations = [
        text_to_json("evidence", "evidencefile", "error", models.JSONField(blank=True, default=str, verbose_name="error")),
        text_to_json("evidence", "ingestjob", "error", models.JSONField(blank=True, default=str)),
        text_to_json("evidence", "imageverification", "error", models.JSONField(blank=True, default=str)),
    ]
