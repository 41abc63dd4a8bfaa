from django.apps import AppConfig

from config.messages import register
from texts.messages import CATALOGUE


class TextsConfig(AppConfig):
    name = "texts"

    def ready(self) -> None:
        # The codes text extraction and search store, for config.messages to render in any language.
        register(CATALOGUE)
