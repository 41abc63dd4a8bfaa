from django.core.management.base import BaseCommand

from accounts.system import command_line_user
from evidence.ingest.uploads import chunked_uploads_abandon


class Command(BaseCommand):
    help = "Abandon chunked uploads that received nothing for a while, deleting their chunks (run it daily)."

    def add_arguments(self, parser):
        parser.add_argument("--idle-hours", type=float, default=72, help="Idle time before abandoning (72 hours).")

    def handle(self, **options):
        count = chunked_uploads_abandon(idle_hours=options["idle_hours"], by=command_line_user(None))
        self.stdout.write(f"{count} unfinished upload(s) abandoned.")
