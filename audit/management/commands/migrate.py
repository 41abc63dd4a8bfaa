"""``migrate`` as the owner role, then the runtime role's rights granted afresh (audit/roles.py).

Replaces Django's own command (an app's command wins over the core's), so that every path that
migrates (``manage.py migrate``, the test runner's set-up) does both.
"""

from django.core.management.commands.migrate import Command as DjangoMigrate

from audit.roles import connected_as_owner, grant_runtime_or_explain


class Command(DjangoMigrate):
    help = DjangoMigrate.help + " Runs as DATABASE_OWNER_URL's role when it is set, then grants DATABASE_URL's role."

    def handle(self, *args, **options):
        database = options["database"]
        with connected_as_owner(database) as connection:
            super().handle(*args, **options)
            done, problems = grant_runtime_or_explain(connection=connection)
        if done and options["verbosity"] >= 1:
            self.stdout.write(done)
        for problem in problems:
            self.stderr.write(f"Warning: {problem}")
