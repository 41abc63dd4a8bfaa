import json

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from accounts.system import command_line_user
from audit.services import audit_record
from cases.models import Dossier
from config.spreadsheets import SpreadsheetDictWriter
from evidence.selectors import evidence_files_for_export

FIELDS = [
    "exhibit", "path", "size", "mime", "md5", "sha1", "sha256", "triage", "list", "category", "error", "findings",
    "error_code", "finding_codes",
]  # fmt: skip


class Command(BaseCommand):
    help = (
        "Write one record per file of a dossier (hashes, type, triage state, error and findings) as JSON lines "
        "or CSV (findings as a JSON list in one cell); error and findings in LANGUAGE_CODE's words, with their codes."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dossier", required=True, help="Notice number.")
        parser.add_argument("--format", choices=["json", "csv"], default="json")
        parser.add_argument("--user", help="Act as this user (default: the system account 'cli').")

    # What the workers stored is rendered in LANGUAGE_CODE, whatever language was active before.
    @translation.override(settings.LANGUAGE_CODE)
    def handle(self, **options):
        dossier = Dossier.objects.filter(notice_number=options["dossier"]).first()
        if dossier is None:
            raise CommandError(f"No dossier {options['dossier']}.")
        audit_record(
            actor=command_line_user(options["user"]), action="files.export", target=dossier, format=options["format"]
        )
        records = evidence_files_for_export(dossier)
        if options["format"] == "csv":
            writer = SpreadsheetDictWriter(self.stdout, fieldnames=FIELDS, lineterminator="\n")
            writer.writeheader()
            writer.writerows(records)
        else:
            for record in records:
                self.stdout.write(json.dumps(record, ensure_ascii=False))
