"""A dossier seen with its evidence: the overview's figures, the timeline, the prosecutors' board.

The dossier layer (cases) knows no exhibit; these reads join both, so they live above it.
"""

from django.db.models import Count, Exists, F, IntegerField, OuterRef, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from audit.models import AuditEvent
from cases.models import Dossier, DossierSuspect, Search, SuspectStatusChange
from cases.selectors import dossiers_visible_to, team_events
from evidence.models import CustodyEvent, EvidenceFile, Exhibit, IngestJob, TriageCount
from evidence.selectors import counts_are_kept


def dossier_counts(dossier: Dossier) -> dict:
    """The overview's figures, in one query."""

    def count(queryset):
        return Subquery(
            queryset.order_by().values("dossier").annotate(n=Count("pk")).values("n"), output_field=IntegerField()
        )

    row = (
        Dossier.objects.filter(pk=dossier.pk)
        .annotate(
            searches_count=count(Search.objects.filter(dossier=OuterRef("pk"))),
            exhibits_count=count(Exhibit.objects.filter(dossier=OuterRef("pk"))),
            suspects_count=count(DossierSuspect.objects.filter(dossier=OuterRef("pk"))),
            arrested_count=count(
                DossierSuspect.objects.filter(dossier=OuterRef("pk"), status=DossierSuspect.Status.ARRESTED)
            ),
            files_count=files_kept(OuterRef("pk"))
            if counts_are_kept()
            else Subquery(
                EvidenceFile.objects.filter(exhibit__dossier=OuterRef("pk"))
                .order_by()
                .values("exhibit__dossier")
                .annotate(n=Count("pk"))
                .values("n"),
                output_field=IntegerField(),
            ),
        )
        .values("searches_count", "exhibits_count", "suspects_count", "arrested_count", "files_count")
        .get()
    )
    return {key: value or 0 for key, value in row.items()}


def dossier_timeline(dossier: Dossier) -> list[dict]:
    """Every dated event of the dossier in one chronological list (oldest first)."""
    events = _status_and_search_events(dossier) + _evidence_events(dossier)
    events += team_events(dossier)
    events += _suspect_events(dossier)
    events.sort(key=lambda event: event["at"])
    return events


def _status_and_search_events(dossier: Dossier) -> list[dict]:
    events = []
    for change in dossier.status_changes.select_related("by"):
        events.append(
            {
                "at": change.at,
                "kind": "status",
                "label": _("Status: %(from)s → %(to)s")
                % {"from": change.get_from_status_display(), "to": change.get_to_status_display()},
                "detail": change.reason,
                "by": change.by.get_username(),
            }
        )
    for search in dossier.searches.all():
        events.append(
            {
                "at": search.started_at,
                "kind": "search",
                "label": _("Search at %(address)s") % {"address": search.address.splitlines()[0]},
                "detail": _("Warrant %(reference)s") % {"reference": search.warrant_reference},
                "url": search.get_absolute_url(),
            }
        )
    return events


def _evidence_events(dossier: Dossier) -> list[dict]:
    """Seizures, custody events and ingestions of the dossier's exhibits."""
    events = []
    for exhibit in Exhibit.objects.filter(dossier=dossier, search__isnull=False).select_related("search"):
        events.append(
            {
                "at": exhibit.search.started_at,
                "kind": "seizure",
                "label": _("Seizure of %(seal)s (%(kind)s)")
                % {"seal": exhibit.seal_number, "kind": exhibit.get_kind_display()},
                "url": exhibit.get_absolute_url(),
            }
        )
    for event in CustodyEvent.objects.filter(exhibit__dossier=dossier).select_related("exhibit"):
        events.append(
            {
                "at": event.at,
                "kind": "custody",
                "label": f"{event.exhibit.seal_number}: {event.get_kind_display()}",
                "detail": " → ".join(filter(None, [event.from_person, event.to_person])),
                "url": event.exhibit.get_absolute_url(),
            }
        )
    for job in IngestJob.objects.filter(exhibit__dossier=dossier).select_related("exhibit"):
        events.append(
            {
                "at": job.created_at,
                "kind": "ingest",
                "label": _("Ingestion into %(seal)s: %(status)s")
                % {"seal": job.exhibit.seal_number, "status": job.get_status_display()},
                "url": job.exhibit.get_absolute_url(),
            }
        )
    return events


def _suspect_events(dossier: Dossier) -> list[dict]:
    events = []
    changes = SuspectStatusChange.objects.filter(suspect__dossier=dossier).select_related("suspect__person", "by")
    for change in changes:
        events.append(
            {
                "at": change.at,
                "kind": "suspect",
                "label": _("%(name)s: %(status)s")
                % {"name": change.suspect.person.full_name, "status": change.get_to_status_display()},
                "detail": change.note,
                "by": change.by.get_username(),
                "url": change.suspect.get_absolute_url(),
            }
        )
    return events


def board_rows(user):
    """The prosecutor board: one row per dossier the user reads, every figure aggregated in SQL.

    Each figure is a correlated subquery, so the rows never multiply and the page costs one query.
    """

    def count(queryset, group: str = "dossier"):
        return Coalesce(
            Subquery(
                queryset.order_by().values(group).annotate(n=Count("pk", distinct=True)).values("n"),
                output_field=IntegerField(),
            ),
            0,
        )

    processed = IngestJob.objects.filter(exhibit=OuterRef("pk"), status=IngestJob.Status.DONE)
    exhibits = Exhibit.objects.filter(dossier=OuterRef("pk"))
    files = EvidenceFile.objects.filter(exhibit__dossier=OuterRef("pk"))
    if counts_are_kept():  # trigger-kept totals: the board does not count a million files per dossier
        known = files_kept(OuterRef("pk"), [EvidenceFile.Triage.KNOWN])
        new = files_kept(OuterRef("pk"), EvidenceFile.NEW_STATES)
    else:
        known = count(files.filter(triage=EvidenceFile.Triage.KNOWN), "exhibit__dossier")
        new = count(files.filter(triage__in=EvidenceFile.NEW_STATES), "exhibit__dossier")
    return (
        dossiers_visible_to(user)
        .annotate(
            arrested_count=count(
                DossierSuspect.objects.filter(dossier=OuterRef("pk"), status=DossierSuspect.Status.ARRESTED)
            ),
            suspects_count=count(DossierSuspect.objects.filter(dossier=OuterRef("pk"))),
            exhibits_count=count(exhibits),
            exhibits_processed=count(exhibits.filter(Exists(processed))),
            known_count=known,
            new_count=new,
            last_activity=Subquery(AuditEvent.objects.filter(dossier=OuterRef("pk")).order_by("-at").values("at")[:1]),
        )
        .annotate(exhibits_pending=F("exhibits_count") - F("exhibits_processed"))
    )


def files_kept(dossier_ref, states=None):
    """The dossier's file count (in ``states``) from the trigger-kept TriageCount rows (PostgreSQL)."""
    rows = TriageCount.objects.filter(exhibit__dossier=dossier_ref)
    if states is not None:
        rows = rows.filter(triage__in=list(states))
    total = rows.order_by().values("exhibit__dossier").annotate(n=Sum("files")).values("n")
    return Coalesce(Subquery(total, output_field=IntegerField()), 0)
