from django.apps import AppConfig

from evidence.batch_readers import batch_reader_register


class ChatsConfig(AppConfig):
    name = "chats"

    def ready(self):
        # The ingest pipeline (below chats) reads a chat export's batch (IngestBatch.Kind.CHAT) through
        # this reader. Imported here, once the apps are loaded: the services module imports models.
        from chats.services import chat_export_read

        batch_reader_register("chat", chat_export_read)
