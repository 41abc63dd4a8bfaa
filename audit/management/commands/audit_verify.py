import sys

from django.core.management.base import BaseCommand, CommandError

from audit.checks import heads_in
from audit.models import AuditEvent
from audit.selectors import audit_chain_head, audit_chain_problems


class Command(BaseCommand):
    help = (
        "Recompute the audit log's keyed hash chain (AUDIT_CHAIN_KEY) and report any edited, removed or "
        "inserted event; check heads kept outside the database (a cut tail)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--expect-head",
            default="",
            help="The chain head (hex) copied off this machine earlier: it must still be in the chain.",
        )
        parser.add_argument(
            "--heads-from",
            default="",
            metavar="FILE",
            help="A log holding the heads the periodic check wrote ('audit chain head event=N hash=HEX'): "
            "each must still be in the chain, at its event. '-' reads standard input.",
        )

    def handle(self, expect_head: str, heads_from: str, **options):
        problems = audit_chain_problems()
        if expect_head:
            expected = expect_head.strip().lower()
            if not any(
                bytes(value).hex() == expected
                for value in AuditEvent.objects.values_list("row_hash", flat=True).iterator()
            ):
                problems.append(f"the expected head {expected} is not in the chain (newer events were removed)")
        if heads_from:
            problems += self.logged_head_problems(heads_from)
        for problem in problems:
            self.stderr.write(problem)
        if problems:
            raise CommandError(f"The audit chain is broken: {len(problems)} problem(s).")
        head = audit_chain_head()
        if head is None:
            self.stdout.write("The audit log is empty.")
        else:
            self.stdout.write(f"The audit chain verifies: head is event {head.pk}, {head.row_hash_hex}")

    def logged_head_problems(self, path: str) -> list[str]:
        try:
            if path == "-":
                heads = heads_in(sys.stdin)
            else:
                with open(path, encoding="utf-8", errors="replace") as log:
                    heads = heads_in(log)
        except OSError as error:
            raise CommandError(f"Cannot read {path}: {error.strerror}") from error
        if not heads:
            raise CommandError(f"{path} holds no logged chain head ('audit chain head event=N hash=HEX').")
        kept = dict(
            AuditEvent.objects.filter(pk__in={event for event, _ in heads}).values_list("pk", "row_hash").iterator()
        )
        problems = []
        for event, logged in sorted(set(heads)):
            if event not in kept:
                problems.append(
                    f"event {event}: logged as a chain head ({logged}) but no longer in the chain (events were removed)"
                )
            elif bytes(kept[event]).hex() != logged:
                problems.append(
                    f"event {event}: its hash differs from the one logged as the chain head ({logged}): rewritten"
                )
        self.stdout.write(f"{len(set(heads))} logged head(s) checked.")
        return problems
