from django.core.management.base import BaseCommand

from config.celery import app
from evidence.lists import hash_list_imports_resume
from evidence.services import ingest_jobs_resume


def queued_messages() -> int | None:
    """Messages waiting in the broker's queues, or None if it cannot tell."""
    from django.conf import settings

    try:
        with app.connection_for_write() as connection:
            channel = connection.default_channel
            return sum(
                channel.queue_declare(queue=name, passive=True).message_count
                for name in settings.CELERY_QUEUES_ALL.split(",")
            )
    except Exception:  # noqa: BLE001 - a queue that was never declared, a transport without counts
        return None


class Command(BaseCommand):
    help = (
        "Queue again the ingest batches and list imports that the broker lost (e.g. Redis restarted without"
        " persistence). Does nothing while the broker still holds messages, unless --force. Safe to run at"
        " any time: work that is running or done is not done twice."
    )

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="Resume even if the broker holds messages.")

    def handle(self, *args, force=False, **options):
        waiting = queued_messages()
        if waiting and not force:
            self.stdout.write(f"The broker holds {waiting} messages: the workers are on it. Nothing resumed.")
            return
        ingest = ingest_jobs_resume()
        versions = hash_list_imports_resume()
        self.stdout.write(
            f"Resumed {ingest['jobs']} ingest jobs ({ingest['batches']} batches) and {versions} list imports."
        )
