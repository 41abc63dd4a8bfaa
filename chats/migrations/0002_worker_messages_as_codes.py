"""Worker messages stored as codes (config.messages): a chat export's error and
why a message's media is missing become JSON.

Old text is kept, as a JSON string, and still shown as stored.
"""

from django.db import migrations, models

from config.migration_operations import text_to_json


class Migration(migrations.Migration):
    dependencies = [("chats", "0001_chat_exports")]

    operations = [
        text_to_json("chats", "chatexport", "error", models.JSONField(blank=True, default=str)),
        text_to_json("chats", "chatmessage", "media_missing", models.JSONField(blank=True, default=str)),
    ]
