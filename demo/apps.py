from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo dossier of `make run`: users, a dossier, synthetic media and hash lists. The top layer:
    it builds its data through every app's services, and no app imports it."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "demo"
    verbose_name = "Demo"
