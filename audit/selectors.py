from dataclasses import dataclass

from django.conf import settings
from django.db.models import Case, CharField, F, Q, QuerySet, Value, When
from django.utils.translation import gettext

from audit.chain import verify
from audit.models import AuditEvent

# Why an event reads masked (the ``masked`` annotation of ``audit_events_readable``).
SHOWN = ""
OTHER_DOSSIER = "dossier"  # an event of a dossier the viewer is not a member of
FILE_NAMES = "files"  # a member who may not read file names, paths or job errors (a prosecutor)

# Targets whose label never names a file (their __str__ is a notice number, a seal, a person, a
# search's address...): a member without file rights still reads these. Every other target type of a
# dossier (files, ingest jobs, uploads, image verifications, chat exports...) is masked for them: a
# type added later is masked until it is listed here.
LABELS_WITHOUT_FILE_NAMES = (
    "cases.dossier",
    "cases.dossierstatuschange",
    "cases.membership",
    "cases.search",
    "cases.dossiersuspect",
    "evidence.exhibit",
    "evidence.custodyevent",
    "evidence.acquisition",
)

# Detail keys whose values never name a file, a person or a place; with numbers and yes/no values
# (counts, sizes, ids), they are what a masked event keeps of its detail.
DETAIL_KEYS_WITHOUT_NAMES = frozenset(
    {"format", "from_status", "to_status", "status", "role", "from_role", "to_role", "user", "via", "kind"}
    | {"result", "scheme", "triage", "enabled", "verified", "locked_out", "archive_password_given"}
)


@dataclass(frozen=True)
class ReadScope:
    """What one viewer may read of dossier-bound events, as the dossier layer (cases) decides it.

    ``dossiers``: the dossiers (a queryset of their ids) the viewer is a member of;
    ``file_dossiers``: those of them whose file names, paths and job errors the viewer may read.
    Events bound to no dossier (logins, user and list management) are read in full.
    """

    dossiers: QuerySet
    file_dossiers: QuerySet


def audit_events_readable(events: QuerySet, *, scope: ReadScope) -> QuerySet:
    """``events`` with what the viewer of ``scope`` may read of each, in SQL (so searches see only that):

    ``masked``: SHOWN, OTHER_DOSSIER or FILE_NAMES; ``label_shown``: the target label, or "" where it is
    masked. Action, time, actor, target type and id always show. Templates print ``label_shown`` (and
    ``event_detail_shown`` for the detail), never ``target_label`` or ``detail`` themselves.
    """
    masked = Case(
        When(dossier_id__isnull=True, then=Value(SHOWN)),
        When(~Q(dossier_id__in=scope.dossiers), then=Value(OTHER_DOSSIER)),
        When(~Q(dossier_id__in=scope.file_dossiers), then=Value(FILE_NAMES)),
        default=Value(SHOWN),
        output_field=CharField(),
    )
    label = Case(
        When(masked=OTHER_DOSSIER, then=Value("")),
        When(Q(masked=FILE_NAMES) & ~Q(target_type__in=LABELS_WITHOUT_FILE_NAMES), then=Value("")),
        default=F("target_label"),
        output_field=CharField(),
    )
    return events.annotate(masked=masked).annotate(label_shown=label)


def event_detail_shown(event: AuditEvent) -> dict:
    """The detail of an event from ``audit_events_readable`` as its viewer may read it.

    A masked event keeps its numbers, yes/no values and the keys that never hold a name; an event
    that did not go through ``audit_events_readable`` is treated as masked.
    """
    if getattr(event, "masked", None) == SHOWN:
        return event.detail
    hidden = gettext("(hidden)")
    return {
        key: value if key in DETAIL_KEYS_WITHOUT_NAMES or value is None or isinstance(value, int | float) else hidden
        for key, value in event.detail.items()
    }


def audit_events_search(events: QuerySet, *, query: str = "", action: str = "") -> QuerySet:
    """Filter readable events (``audit_events_readable``): a masked label never matches a search."""
    if action:
        events = events.filter(action__startswith=action)
    if query:
        events = events.filter(
            Q(actor_name__icontains=query) | Q(label_shown__icontains=query) | Q(action__icontains=query)
        )
    return events


def audit_chain_head() -> AuditEvent | None:
    return AuditEvent.objects.order_by("-id").first()


def audit_chain_rows():
    """Every event in chain order, as the verifier reads it."""
    for event in AuditEvent.objects.order_by("id").iterator(chunk_size=5000):
        yield event.pk, event.previous_hash, event.row_hash, event.chain_fields()


def audit_chain_key() -> bytes:
    """The chain's HMAC key (settings.AUDIT_CHAIN_KEY): kept in the environment, never in the database."""
    return settings.AUDIT_CHAIN_KEY.encode()


def audit_chain_problems() -> list[str]:
    """The whole chain recomputed with the key: what is wrong, in words (empty: it verifies)."""
    return verify(audit_chain_rows(), key=audit_chain_key())
