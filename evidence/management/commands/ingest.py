import sys
import time
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.template.defaultfilters import filesizeformat
from django.utils import timezone, translation

from accounts.system import command_line_user
from cases.models import Dossier
from cases.services import dossier_create
from evidence.custody.exhibits import exhibit_register
from evidence.ingest.jobs import ingest_job_create_from_path
from evidence.ingest.source_grants import ingest_command_line_record
from evidence.models import Exhibit, IngestJob
from evidence.selectors import ingest_job_progress, ingest_job_queues_without_worker


class Command(BaseCommand):
    # Trusted: whoever runs it has a shell on the server, which reads the storage anyway. So the path
    # needs no grant (evidence.ingest.source_grants) and may lie outside EVIDENCE_SOURCES; the ingestion is
    # audited as ``ingest.command_line`` with the shell account and whether the path was granted.
    help = (
        "Ingest a folder, file or zip archive on this server into an exhibit (created if missing). "
        "Trusted: no folder grant is needed; audited with the shell account that ran it."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path)
        parser.add_argument("--dossier", required=True, help="Notice number; the dossier is opened if missing.")
        parser.add_argument("--exhibit", required=True, help="Seal number; the exhibit is registered if missing.")
        parser.add_argument("--title", default="", help="Title of a dossier opened by this command.")
        parser.add_argument("--kind", default=Exhibit.Kind.OTHER, choices=Exhibit.Kind.values)
        parser.add_argument("--user", help="Act as this user (default: the system account 'cli').")
        parser.add_argument("--wait", action="store_true", help="Show progress until the workers are done.")
        parser.add_argument("--timeout", type=float, default=0, help="With --wait, give up after this many seconds.")

    # What the workers stored is rendered in LANGUAGE_CODE, whatever language was active before.
    @translation.override(settings.LANGUAGE_CODE)
    def handle(self, path: Path, **options):
        if not path.exists():
            raise CommandError(f"{path}: no such file or folder.")
        if not (path.is_dir() or path.is_file()):
            # A FIFO would block the worker that opens it; a device or a socket is no seized file.
            raise CommandError(f"{path}: neither a regular file nor a folder (a FIFO, device or socket): not ingested.")
        user = command_line_user(options["user"])
        notice_number, seal_number = options["dossier"].strip().upper(), options["exhibit"].strip()
        try:
            with transaction.atomic():
                # Through the pages' services: the same checks (notice number format, seal number) and audit.
                dossier = Dossier.objects.filter(notice_number=notice_number).first() or dossier_create(
                    notice_number=notice_number,
                    title=options["title"] or notice_number,
                    opened_on=timezone.localdate(),
                    by=user,
                )
                exhibit = Exhibit.objects.filter(dossier=dossier, seal_number=seal_number).first() or (
                    exhibit_register(dossier=dossier, kind=options["kind"], seal_number=seal_number, by=user)
                )
                job = ingest_job_create_from_path(exhibit=exhibit, path=path, by=user)
                ingest_command_line_record(job=job, path=path, by=user)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        self.stdout.write(f"Ingest job #{job.pk} queued for {dossier.notice_number} / {exhibit.seal_number}.")
        if options["wait"]:
            self._wait(job, options["timeout"])

    def _wait(self, job: IngestJob, timeout: float) -> None:
        started = time.monotonic()
        interactive = sys.stdout.isatty()
        said = []  # the queues without a worker last said; None once "cannot tell" was said
        while True:
            job.refresh_from_db()
            progress = ingest_job_progress(job)
            line = (
                f"{job.get_status_display()}: {progress['files_done']}/{job.files_total} files, "
                f"{filesizeformat(progress['bytes_done'])}, {progress['errors']} errors"
            )
            self.stdout.write(("\r" + line) if interactive else line, ending="" if interactive else "\n")
            if job.is_finished:
                break
            said = self._say_missing_workers(job, said, interactive)
            if timeout and time.monotonic() - started > timeout:
                raise CommandError(f"\nJob #{job.pk} not finished after {timeout:.0f} s (is a worker running?).")
            time.sleep(0.5 if interactive else 2)
        if interactive:
            self.stdout.write("")
        if job.status == IngestJob.Status.FAILED:
            raise CommandError(f"Job #{job.pk} failed: {job.error_text}")  # in LANGUAGE_CODE

    def _say_missing_workers(self, job: IngestJob, said: list[str] | None, interactive: bool) -> list[str] | None:
        """Warn when no live worker takes a queue the job needs, and when one does again; say once
        that nobody can tell (the embedded file-system broker). Returns what was said last."""
        missing = ingest_job_queues_without_worker(job)
        if missing == said:
            return said
        start = "\n" if interactive else ""
        if missing is None:
            self.stdout.write(f"{start}Cannot tell whether a worker takes this job's queues (the broker cannot say).")
        elif missing:
            self.stderr.write(
                f"{start}Warning: no live worker takes the queue(s) {', '.join(missing)}: this job waits until one"
                " is started (celery -A config worker)."
            )
        elif said:
            self.stdout.write(f"{start}A worker now takes every queue of this job.")
        return missing
