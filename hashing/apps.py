from django.apps import AppConfig


class HashingConfig(AppConfig):
    name = "hashing"

    def ready(self) -> None:
        from config.messages import register
        from hashing.messages import CATALOGUE

        # The codes this app's workers store, for config.messages to render in any language.
        register(CATALOGUE)
