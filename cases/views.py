from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.decorators import role_required, step_up_required
from accounts.roles import INVESTIGATOR, PROSECUTOR
from audit.services import audit_record, client_ip
from cases.filters import BoardFilter, DossierFilter, SearchFilter, SuspectFilter
from cases.forms import (
    DossierDetailsForm,
    DossierForm,
    DossierStatusForm,
    MembershipAddForm,
    MembershipRoleForm,
    SearchForm,
    SuspectForm,
    SuspectStatusForm,
)
from cases.models import Membership
from cases.selectors import (
    can_see_files,
    dossier_audit_events,
    dossier_for,
    dossier_lead_for,
    dossiers_visible_to,
    membership_of,
    person_other_dossiers,
    recent_activity_for,
    search_for,
    suspect_for,
    team_of,
)
from cases.services import (
    PossibleDuplicates,
    dossier_create,
    dossier_status_change,
    dossier_update_details,
    membership_add,
    membership_change_role,
    membership_remove,
    search_register,
    suspect_register,
    suspect_status_change,
)
from config.spreadsheets import SpreadsheetWriter
from config.web import keyset_paginate, paginate
from evidence.dossiers import board_rows, dossier_counts, dossier_timeline
from evidence.filters import ExhibitFilter
from evidence.models import EvidenceFile
from evidence.selectors import exhibit_triage_totals, exhibits_of_dossier, files_search, pending_ingest_jobs


@login_required
def home(request):
    filters = DossierFilter(request.GET or None, queryset=dossiers_visible_to(request.user))
    context = {"filter": filters, "page": paginate(request, filters.qs)}
    context["pending_jobs"] = pending_ingest_jobs(request.user)[:10]
    context["activity"] = recent_activity_for(request.user)
    return render(request, "cases/home.html", context)


@login_required
@role_required(INVESTIGATOR)
def dossier_new(request):
    form = DossierForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        dossier = dossier_create(**form.cleaned_data, by=request.user, ip=client_ip(request))
        messages.success(request, _("Dossier %(number)s opened.") % {"number": dossier.notice_number})
        return redirect(dossier)
    return render(request, "cases/dossier_form.html", {"form": form})


@login_required
def dossier_edit(request, pk: int):
    dossier = dossier_for(request.user, pk, write=True)
    lead = membership_of(request.user, dossier).role == Membership.Role.LEAD
    form = DossierDetailsForm(request.POST or None, instance=dossier, lead=lead)
    if request.method == "POST" and form.is_valid():
        # The form must not save the instance itself: the service records what changed.
        fresh = dossier_for(request.user, pk, write=True)
        try:
            dossier_update_details(dossier=fresh, by=request.user, ip=client_ip(request), **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Dossier details saved."))
            return redirect(fresh)
    return render(request, "cases/dossier_edit.html", {"form": form, "dossier": dossier})


def _tab(request, dossier, tab: str, template: str, **context):
    return render(
        request,
        template,
        {"dossier": dossier, "membership": membership_of(request.user, dossier), "tab": tab, **context},
    )


@login_required
def dossier_detail(request, pk: int):
    dossier = dossier_for(request.user, pk)
    membership = membership_of(request.user, dossier)
    return _tab(
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
def dossier_status(request, pk: int):
    dossier = dossier_for(request.user, pk, write=True)
    form = DossierStatusForm(request.POST or None, dossier=dossier)
    if request.method == "POST" and form.is_valid():
        try:
            dossier_status_change(dossier=dossier, by=request.user, ip=client_ip(request), **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Status changed to %(status)s.") % {"status": dossier.get_status_display()})
            return redirect(dossier)
    return render(request, "cases/dossier_status.html", {"dossier": dossier, "form": form})


@login_required
@require_POST
def team_add(request, pk: int):
    dossier = dossier_lead_for(request.user, pk)
    form = MembershipAddForm(request.POST, dossier=dossier)
    if not form.is_valid():
        messages.error(request, _("Choose a person and a role."))
        return redirect(dossier)
    try:
        membership_add(dossier=dossier, by=request.user, ip=client_ip(request), **form.cleaned_data)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("%(user)s added to the team.") % {"user": form.cleaned_data["user"]})
    return redirect(dossier)


@login_required
@require_POST
def team_change(request, pk: int, membership_pk: int):
    dossier = dossier_lead_for(request.user, pk)
    membership = get_object_or_404(dossier.memberships, pk=membership_pk)
    form = MembershipRoleForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(_("Choose a role."))
        if request.POST.get("remove"):
            membership_remove(membership=membership, by=request.user, ip=client_ip(request))
            messages.success(request, _("%(user)s removed from the team.") % {"user": membership.user})
        else:
            membership_change_role(membership=membership, by=request.user, ip=client_ip(request), **form.cleaned_data)
            messages.success(request, _("Role of %(user)s changed.") % {"user": membership.user})
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect(dossier)


@login_required
def dossier_searches(request, pk: int):
    dossier = dossier_for(request.user, pk)
    filters = SearchFilter(request.GET or None, queryset=dossier.searches.all())
    return _tab(
        request, dossier, "searches", "cases/dossier_searches.html", filter=filters, page=paginate(request, filters.qs)
    )


@login_required
def dossier_exhibits(request, pk: int):
    dossier = dossier_for(request.user, pk)
    filters = ExhibitFilter(request.GET or None, queryset=exhibits_of_dossier(dossier), dossier=dossier)
    return _tab(
        request, dossier, "exhibits", "cases/dossier_exhibits.html", filter=filters, page=paginate(request, filters.qs)
    )


@login_required
def dossier_suspects(request, pk: int):
    dossier = dossier_for(request.user, pk)
    suspects = dossier.suspects.select_related("person").prefetch_related("person__identifiers")
    filters = SuspectFilter(request.GET or None, queryset=suspects)
    return _tab(
        request, dossier, "suspects", "cases/dossier_suspects.html", filter=filters, page=paginate(request, filters.qs)
    )


@login_required
def dossier_files(request, pk: int):
    dossier = dossier_for(request.user, pk)
    exhibit_ids = list(dossier.exhibits.values_list("pk", flat=True))
    context = {"totals": exhibit_triage_totals(exhibit_ids)}
    # File names and hashes are for the investigating team; prosecutors see the totals only.
    if can_see_files(request.user, dossier):
        files = EvidenceFile.objects.filter(exhibit_id__in=exhibit_ids).select_related("exhibit")
        query = {"query": request.GET.get("q", ""), "triage": request.GET.get("triage", "")}
        context["page"] = keyset_paginate(request, files_search(files, **query), partitions=("exhibit_id", exhibit_ids))
        context["triage_choices"] = EvidenceFile.Triage.choices
    return _tab(request, dossier, "files", "cases/dossier_files.html", **context)


@login_required
def dossier_timeline_view(request, pk: int):
    dossier = dossier_for(request.user, pk)
    return _tab(
        request, dossier, "timeline", "cases/dossier_timeline.html", page=paginate(request, dossier_timeline(dossier))
    )


@login_required
def dossier_audit(request, pk: int):
    dossier = dossier_for(request.user, pk, write=True)
    events = dossier_audit_events(request.user, dossier)
    if query := request.GET.get("q", "").strip():
        events = events.filter(action__icontains=query) | events.filter(actor_name__icontains=query)
    return _tab(request, dossier, "audit", "cases/dossier_audit.html", page=paginate(request, events), q=query)


@login_required
def search_new(request, pk: int):
    dossier = dossier_for(request.user, pk, write=True)
    form = SearchForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        search = search_register(dossier=dossier, by=request.user, ip=client_ip(request), **form.cleaned_data)
        messages.success(request, _("Search registered."))
        return redirect(search)
    return render(request, "cases/search_form.html", {"dossier": dossier, "form": form})


@login_required
def search_detail(request, pk: int):
    search = search_for(request.user, pk)
    return render(
        request,
        "cases/search_detail.html",
        {
            "search": search,
            "dossier": search.dossier,
            "membership": membership_of(request.user, search.dossier),
            "exhibits": search.exhibits.select_related("seized_from__person", "parent"),
            "suspects": search.suspects.select_related("person"),
        },
    )


@login_required
def suspect_new(request, pk: int):
    dossier = dossier_for(request.user, pk, write=True)
    form = SuspectForm(request.POST or None, dossier=dossier, user=request.user)
    duplicates = []
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        decision = data.pop("same_person")  # "", "new" or a Person the user may link (the form checked)
        person = None if decision in ("", "new") else decision
        fields = {key: data[key] for key in ("full_name", "aliases", "birth_date", "nationality", "national_number")}
        try:
            suspect = suspect_register(
                dossier=dossier,
                by=request.user,
                ip=client_ip(request),
                person=person,
                check_duplicates=not decision,
                identifiers=form.identifiers(),
                status=data["status"],
                searches=data["searches"],
                **fields,
            )
        except PossibleDuplicates as possible:
            duplicates = possible.duplicates
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Suspect %(name)s registered.") % {"name": suspect.person.full_name})
            return redirect(suspect)
    return render(request, "cases/suspect_form.html", {"dossier": dossier, "form": form, "duplicates": duplicates})


@login_required
def suspect_detail(request, pk: int):
    suspect = suspect_for(request.user, pk)
    membership = membership_of(request.user, suspect.dossier)
    return render(
        request,
        "cases/suspect_detail.html",
        {
            "suspect": suspect,
            "dossier": suspect.dossier,
            "membership": membership,
            "history": suspect.status_changes.select_related("by"),
            "exhibits": suspect.exhibits.all(),
            "searches": suspect.searches.all(),
            "other_dossiers": person_other_dossiers(request.user, suspect),
            "status_form": SuspectStatusForm(initial={"to_status": suspect.status}) if membership.can_write else None,
        },
    )


@login_required
@require_POST
def suspect_status(request, pk: int):
    suspect = suspect_for(request.user, pk, write=True)
    form = SuspectStatusForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(_("Choose a status."))
        suspect_status_change(suspect=suspect, by=request.user, ip=client_ip(request), **form.cleaned_data)
        messages.success(request, _("Status changed to %(status)s.") % {"status": suspect.get_status_display()})
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect(suspect)


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
