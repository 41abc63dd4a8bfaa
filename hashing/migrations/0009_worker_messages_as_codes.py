"""Worker messages stored as codes (config.messages): a list version's error becomes JSON.

Old text is kept, as a JSON string, and still shown as stored.
"""

from django.db import migrations, models

from config.migration_operations import text_to_json


class Migration(migrations.Migration):
    dependencies = [("hashing", "0008_notices_and_file_log_to_evidence")]

    operations = [
        text_to_json("hashing", "hashlistversion", "error", models.JSONField(blank=True, default=str)),
    ]
