from django.core.management.base import BaseCommand, CommandError

from audit.chain import verify
from audit.selectors import audit_chain_head, audit_chain_rows


class Command(BaseCommand):
    help = "Recompute the audit log's hash chain and report any edited, removed or inserted event."

    def add_arguments(self, parser):
        parser.add_argument(
            "--expect-head",
            default="",
            help="The chain head (hex) copied off this machine earlier: it must still be in the chain.",
        )

    def handle(self, expect_head: str, **options):
        problems = verify(audit_chain_rows())
        head = audit_chain_head()
        if expect_head:
            expected = expect_head.strip().lower()
            from audit.models import AuditEvent

            if not any(
                bytes(value).hex() == expected
                for value in AuditEvent.objects.values_list("row_hash", flat=True).iterator()
            ):
                problems.append(f"the expected head {expected} is not in the chain (newer events were removed)")
        for problem in problems:
            self.stderr.write(problem)
        if problems:
            raise CommandError(f"The audit chain is broken: {len(problems)} problem(s).")
        if head is None:
            self.stdout.write("The audit log is empty.")
        else:
            self.stdout.write(f"The audit chain verifies: head is event {head.pk}, {head.row_hash_hex}")
