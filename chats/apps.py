from django.apps import AppConfig


class ChatsConfig(AppConfig):
    name = "chats"

    def ready(self) -> None:
        from chats.messages import CATALOGUE
        from config.messages import register

        # The codes this app's workers store, for config.messages to render in any language.
        register(CATALOGUE)
