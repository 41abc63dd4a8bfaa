from django.apps import AppConfig


class HashingConfig(AppConfig):
    name = "hashing"

    def ready(self) -> None:
        from hashing import lookups  # noqa: F401 - registers ``__any_of`` on BinaryField
