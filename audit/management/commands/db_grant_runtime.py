from django.core.management.base import BaseCommand, CommandError

from audit.roles import connected_as_owner, grant_runtime_or_explain


class Command(BaseCommand):
    help = (
        "As the owner role (DATABASE_OWNER_URL), grant the runtime role (DATABASE_URL) exactly its rights: "
        "read and append the audit log, read and write the other tables. `migrate` does it too; run this "
        "after restoring a backup. Fails if the runtime role could still rewrite the audit log."
    )

    def add_arguments(self, parser):
        parser.add_argument("--database", default="default")

    def handle(self, database: str, **options):
        with connected_as_owner(database) as connection:
            done, problems = grant_runtime_or_explain(connection=connection)
        if done:
            self.stdout.write(done)
        if problems:
            for problem in problems:
                self.stderr.write(problem)
            raise CommandError("The runtime role could still rewrite the audit log.")
