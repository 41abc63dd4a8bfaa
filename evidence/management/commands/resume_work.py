from django.core.management.base import BaseCommand

from evidence.ingest.resume import lost_work_resume, queued_messages


class Command(BaseCommand):
    help = (
        "Queue again the ingest batches, list imports, detection jobs and keyword list runs that the broker"
        " lost (e.g. Redis restarted without persistence). Does nothing while the broker still holds messages,"
        " unless --force. Safe to run at any time: work that is running or done is not done twice. Celery beat"
        " does the same every RESUME_LOST_WORK_SECONDS."
    )

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="Resume even if the broker holds messages.")

    def handle(self, *args, force=False, **options):
        resumed = lost_work_resume(force=force)
        if resumed is None:
            waiting = queued_messages()
            self.stdout.write(f"The broker holds {waiting} messages: the workers are on it. Nothing resumed.")
            return
        self.stdout.write(
            f"Resumed {resumed['jobs']} ingest jobs ({resumed['batches']} batches), {resumed['imports']}"
            f" list imports, {resumed['detection_jobs']} detection jobs and {resumed['keyword_runs']}"
            " keyword list runs."
        )
