from django.core.management.base import BaseCommand, CommandError

from accounts.system import command_line_user
from cases.models import Dossier
from evidence.search.indexing import text_index_job_run
from evidence.search.jobs import dossier_text_index_start


class Command(BaseCommand):
    help = (
        "Extract and index the text of a dossier's files ingested before content search, in this process "
        "(the dossier's Find in files page starts the same job on a worker)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dossier", required=True, help="Notice number.")
        parser.add_argument("--user", help="Act as this user (default: the system account 'cli').")

    def handle(self, **options):
        dossier = Dossier.objects.filter(notice_number=options["dossier"]).first()
        if dossier is None:
            raise CommandError(f"No dossier {options['dossier']}.")
        job = dossier_text_index_start(dossier=dossier, by=command_line_user(options["user"]), queue=False)
        text_index_job_run(job=job)
        job.refresh_from_db()
        self.stdout.write(f"{job.files_done} of {job.files_total} files indexed, {job.errors} errors ({job.status}).")
