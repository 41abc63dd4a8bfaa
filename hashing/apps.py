from django.apps import AppConfig

from config.messages import register
from hashing.messages import CATALOGUE


class HashingConfig(AppConfig):
    name = "hashing"

    def ready(self) -> None:
        # The codes this app's workers store, for config.messages to render in any language.
        register(CATALOGUE)
