from django.apps import AppConfig

from chats.messages import CATALOGUE
from config.messages import register
from evidence.ingest.batch_readers import batch_reader_register


class ChatsConfig(AppConfig):
    name = "chats"

    def ready(self) -> None:
        # The codes this app's workers store, for config.messages to render in any language.
        register(CATALOGUE)
        # The ingest pipeline (below chats) reads a chat export's batch (IngestBatch.Kind.CHAT) through
        # this reader. Imported here, once the apps are loaded: the services module imports models.
        from chats.services import chat_export_read

        batch_reader_register("chat", chat_export_read)
