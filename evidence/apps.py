from django.apps import AppConfig

from config.messages import register
from evidence.messages import CATALOGUE


class EvidenceConfig(AppConfig):
    name = "evidence"

    def ready(self) -> None:
        # The codes this app's workers store, for config.messages to render in any language.
        register(CATALOGUE)
