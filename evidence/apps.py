from django.apps import AppConfig


class EvidenceConfig(AppConfig):
    name = "evidence"

    def ready(self) -> None:
        from config.messages import register
        from evidence.messages import CATALOGUE

        # The codes this app's workers store, for config.messages to render in any language.
        register(CATALOGUE)
