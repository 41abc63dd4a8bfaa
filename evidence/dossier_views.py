"""The dossier pages that show its evidence (overview figures, exhibits, files, timeline), the home
page's pending jobs and the prosecutors' board: above evidence, they sit in it, not in cases."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone

from accounts.decorators import role_required, step_up_required
from accounts.roles import PROSECUTOR
from audit.services import audit_record, client_ip
from cases.filters import BoardFilter, DossierFilter
from cases.forms import DossierStatusForm, MembershipAddForm
from cases.models import Membership
from cases.selectors import can_see_files, dossier_for, dossiers_visible_to, membership_of, recent_activity_for, team_of
from cases.tabs import dossier_tab
from config.spreadsheets import SpreadsheetWriter
from config.web import keyset_paginate, paginate
from evidence.devices import device_files, devices_elsewhere, dossier_devices
from evidence.dossiers import board_rows, dossier_counts, dossier_timeline
from evidence.file_times import KINDS, file_time_histogram
from evidence.filters import ExhibitFilter
from evidence.identifiers import (
    dossier_identifiers,
    found_details,
    identifier_files,
    identifier_kinds,
    identifiers_elsewhere,
    identifiers_export,
)
from evidence.models import EvidenceFile
from evidence.places import as_geojson, dossier_places, places_count, places_export
from evidence.selectors import exhibit_triage_totals, exhibits_of_dossier, files_search, pending_ingest_jobs


@login_required
def home(request):
    filters = DossierFilter(request.GET or None, queryset=dossiers_visible_to(request.user))
    context = {"filter": filters, "page": paginate(request, filters.qs)}
    context["pending_jobs"] = pending_ingest_jobs(request.user)[:10]
    context["activity"] = recent_activity_for(request.user)
    return render(request, "cases/home.html", context)


@login_required
def dossier_detail(request, pk: int):
    dossier = dossier_for(request.user, pk)
    membership = membership_of(request.user, dossier)
    return dossier_tab(
        request,
        dossier,
        "overview",
        "cases/dossier_detail.html",
        counts=dossier_counts(dossier),
        totals=exhibit_triage_totals(dossier.exhibits.values_list("pk", flat=True)),
        team=team_of(dossier),
        status_changes=dossier.status_changes.select_related("by")[:20],
        status_form=DossierStatusForm(dossier=dossier) if membership.can_write else None,
        member_form=MembershipAddForm(dossier=dossier) if membership.role == Membership.Role.LEAD else None,
        roles=Membership.Role.choices,
    )


@login_required
def dossier_exhibits(request, pk: int):
    dossier = dossier_for(request.user, pk)
    filters = ExhibitFilter(request.GET or None, queryset=exhibits_of_dossier(dossier), dossier=dossier)
    return dossier_tab(
        request, dossier, "exhibits", "cases/dossier_exhibits.html", filter=filters, page=paginate(request, filters.qs)
    )


@login_required
def dossier_files(request, pk: int):
    dossier = dossier_for(request.user, pk)
    exhibit_ids = list(dossier.exhibits.values_list("pk", flat=True))
    context = {"totals": exhibit_triage_totals(exhibit_ids)}
    # File names and hashes are for the investigating team; prosecutors see the totals only.
    if can_see_files(request.user, dossier):
        files = EvidenceFile.objects.filter(exhibit_id__in=exhibit_ids).select_related("exhibit")
        device = {name: request.GET[name] for name in ("make", "model", "serial") if name in request.GET}
        if device:  # the images of one camera (the Devices tab links here)
            files = device_files(files, **({"make": "", "model": "", "serial": ""} | device))
            context["device"] = device
        if request.GET.get("identifier"):  # the files holding one identifier (the Identifiers tab links here)
            identifier = {"kind": request.GET.get("identifier_kind", "")[:16], "value": request.GET["identifier"][:512]}
            files = identifier_files(files, **identifier)
            context["identifier"] = identifier
        query = {"query": request.GET.get("q", ""), "triage": request.GET.get("triage", "")}
        context["page"] = keyset_paginate(request, files_search(files, **query), partitions=("exhibit_id", exhibit_ids))
        context["triage_choices"] = EvidenceFile.Triage.choices
    return dossier_tab(request, dossier, "files", "cases/dossier_files.html", **context)


@login_required
def dossier_devices_view(request, pk: int):
    """The cameras the dossier's images name, and the other dossiers (the user's) with the same one."""
    dossier = dossier_for(request.user, pk, files=True)
    devices = dossier_devices(dossier)
    devices_elsewhere(request.user, dossier, devices)
    return dossier_tab(request, dossier, "devices", "evidence/dossier_devices.html", page=paginate(request, devices))


def _identifier_filters(request) -> dict:
    """What the Identifiers filters (?kind=, ?q=) ask for."""
    return {"kind": request.GET.get("kind", "")[:16], "contains": request.GET.get("q", "").strip()[:200]}


@login_required
def dossier_identifiers_view(request, pk: int):
    """The identifiers found in the dossier's files (e-mail addresses, phone numbers, IBANs, wallets,
    URLs...) with their files per exhibit, and the other dossiers (the user's) holding the same one."""
    dossier = dossier_for(request.user, pk, files=True)
    filters = _identifier_filters(request)
    page = paginate(request, dossier_identifiers(dossier, **filters))
    page.object_list = found_details(dossier, page.object_list)
    if filters["contains"]:  # what was looked for in the evidence, like the Find in files box
        audit_record(
            actor=request.user,
            action="identifiers.search",
            target=dossier,
            ip=client_ip(request),
            query=filters["contains"],
            kind=filters["kind"],
            results=page.paginator.count,
            page=page.number,
        )
    identifiers_elsewhere(request.user, dossier, page.object_list)
    return dossier_tab(
        request,
        dossier,
        "identifiers",
        "evidence/dossier_identifiers.html",
        page=page,
        filters=filters,
        kinds=identifier_kinds(dossier),
    )


@login_required
@step_up_required
def dossier_identifiers_export(request, pk: int):
    """The Identifiers tab (with its filters) as a CSV download, audited."""
    dossier = dossier_for(request.user, pk, files=True)
    content, name = identifiers_export(
        dossier=dossier, **_identifier_filters(request), by=request.user, ip=client_ip(request)
    )
    response = HttpResponse(content, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


LISTED_PLACES = 200  # rows under the map


def _place_filters(request, dossier) -> dict:
    """What the Places filters (?exhibit=, ?category=) ask for."""
    exhibit = None
    if request.GET.get("exhibit", "").isdigit():
        exhibit = get_object_or_404(dossier.exhibits, pk=int(request.GET["exhibit"]))
    return {"exhibit": exhibit, "category": request.GET.get("category", "").strip()[:32]}


def _places(request, dossier) -> list[dict]:
    return dossier_places(dossier, **_place_filters(request, dossier))


def _file_url(file_id: int) -> str:
    return reverse("file_detail", args=[file_id])


@login_required
def dossier_places_view(request, pk: int):
    """The map of where the dossier's images were taken (their GPS tags), on the app's own world map."""
    dossier = dossier_for(request.user, pk, files=True)
    filters = _place_filters(request, dossier)
    return dossier_tab(
        request,
        dossier,
        "places",
        "evidence/dossier_places.html",
        points=dossier_places(dossier, **filters, limit=LISTED_PLACES),  # the map reads them all as GeoJSON
        count=places_count(dossier, **filters),
        listed=LISTED_PLACES,
        exhibits=dossier.exhibits.order_by("seal_number"),
    )


@login_required
def dossier_places_data(request, pk: int):
    """The map's points as GeoJSON (read by static/js/places.js)."""
    dossier = dossier_for(request.user, pk, files=True)
    return HttpResponse(as_geojson(_places(request, dossier), _file_url), content_type="application/geo+json")


@login_required
@step_up_required
def dossier_places_export(request, pk: int, kind: str):
    """The same points as a GeoJSON or KML download, audited."""
    dossier = dossier_for(request.user, pk, files=True)
    types = {"kml": "application/vnd.google-earth.kml+xml", "geojson": "application/geo+json"}
    if kind not in types:
        raise Http404
    points = _places(request, dossier)
    content, name = places_export(
        dossier=dossier, points=points, kind=kind, file_url=_file_url, by=request.user, ip=client_ip(request)
    )
    response = HttpResponse(content, content_type=types[kind])
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
def dossier_timeline_view(request, pk: int):
    """The dossier's events, and its files on a calendar (?times=modified|created|accessed|taken,
    ?exhibit=, ?triage=)."""
    dossier = dossier_for(request.user, pk)
    kind = request.GET.get("times") if request.GET.get("times") in KINDS else "modified"
    exhibit = None
    if request.GET.get("exhibit", "").isdigit():
        exhibit = dossier.exhibits.filter(pk=int(request.GET["exhibit"])).first()
    triage = request.GET.get("triage", "") if request.GET.get("triage") in EvidenceFile.Triage.values else ""
    return dossier_tab(
        request,
        dossier,
        "timeline",
        "cases/dossier_timeline.html",
        page=paginate(request, dossier_timeline(dossier)),
        histogram=file_time_histogram(dossier, kind=kind, exhibit=exhibit, triage=triage),
        time_kinds=KINDS,
        time_kind=kind,
        exhibits=dossier.exhibits.order_by("seal_number"),
        triage_choices=EvidenceFile.Triage.choices,
    )


@login_required
@role_required(PROSECUTOR)
def board(request):
    filters = BoardFilter(request.GET or None, queryset=board_rows(request.user))
    return render(request, "cases/board.html", {"filter": filters, "page": paginate(request, filters.qs)})


BOARD_COLUMNS = (
    "notice_number",
    "title",
    "status",
    "opened_on",
    "suspects_count",
    "arrested_count",
    "exhibits_count",
    "exhibits_processed",
    "exhibits_pending",
    "known_count",
    "new_count",
    "last_activity",
)


@login_required
@role_required(PROSECUTOR)
@step_up_required
def board_export(request):
    filters = BoardFilter(request.GET or None, queryset=board_rows(request.user))
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="board-{timezone.localdate():%Y%m%d}.csv"'
    writer = SpreadsheetWriter(response)
    writer.writerow(BOARD_COLUMNS)
    rows = filters.qs.values_list(*BOARD_COLUMNS)
    writer.writerows(rows)
    audit_record(
        actor=request.user, action="board.export", ip=client_ip(request), rows=len(rows), filters=request.GET.dict()
    )
    return response
