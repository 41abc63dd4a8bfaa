from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from accounts.system import command_line_user
from config.messages import render
from evidence.list_tasks import rematch_on_commit
from hashing.importers import hash_list_version_import
from hashing.models import HashList, HashListVersion
from hashing.services import hash_list_version_create


class Command(BaseCommand):
    help = "Import a hash-list file (format detected from its content) as a new active version."

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path)
        parser.add_argument("--name", required=True)
        parser.add_argument("--kind", choices=HashList.Kind.values, default=HashList.Kind.ALERT)
        parser.add_argument("--category", default="", help="Category of the entries of a new alert list.")
        parser.add_argument("--label", default="")
        parser.add_argument("--user", help="Act as this user (default: the system account 'cli').")

    # What the workers stored is rendered in LANGUAGE_CODE, whatever language was active before.
    @translation.override(settings.LANGUAGE_CODE)
    def handle(self, path: Path, **options):
        if not path.is_file():
            raise CommandError(f"{path}: no such file.")
        with path.open("rb") as stream:
            version = hash_list_version_create(
                name=options["name"],
                kind=options["kind"],
                default_category=options["category"],
                label=options["label"],
                stream=stream,
                file_name=path.name,
                by=command_line_user(options["user"]),
            )
        version = hash_list_version_import(version=version, activated=rematch_on_commit)
        self.stdout.write(
            f"{version.hash_list.name} {version.label}: {version.status}; {version.lines_read} lines, "
            f"{version.entries} entries, {version.duplicates} duplicates, {version.malformed} malformed lines"
        )
        for line, reason in version.malformed_sample[:20]:
            self.stdout.write(f"  line {line}: {render(reason)}")  # LANGUAGE_CODE's words
        if version.status != HashListVersion.Status.READY:
            raise CommandError(render(version.error) or "import failed")
