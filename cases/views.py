from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.decorators import role_required
from accounts.roles import INVESTIGATOR
from audit.services import client_ip
from cases.filters import SearchFilter, SuspectFilter
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
    dossier_audit_events,
    dossier_for,
    dossier_lead_for,
    membership_of,
    person_other_dossiers,
    search_for,
    suspect_for,
)
from cases.services import (
    dossier_create,
    dossier_status_change,
    dossier_update_details,
    membership_add,
    membership_change_role,
    membership_remove,
)
from cases.suspects import PossibleDuplicates, search_register, suspect_register, suspect_status_change
from cases.tabs import dossier_tab
from config.web import paginate


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
    return dossier_tab(
        request, dossier, "searches", "cases/dossier_searches.html", filter=filters, page=paginate(request, filters.qs)
    )


@login_required
def dossier_suspects(request, pk: int):
    dossier = dossier_for(request.user, pk)
    suspects = dossier.suspects.select_related("person").prefetch_related("person__identifiers")
    filters = SuspectFilter(request.GET or None, queryset=suspects)
    return dossier_tab(
        request, dossier, "suspects", "cases/dossier_suspects.html", filter=filters, page=paginate(request, filters.qs)
    )


@login_required
def dossier_audit(request, pk: int):
    dossier = dossier_for(request.user, pk, write=True)
    events = dossier_audit_events(request.user, dossier)
    if query := request.GET.get("q", "").strip():
        events = events.filter(action__icontains=query) | events.filter(actor_name__icontains=query)
    return dossier_tab(request, dossier, "audit", "cases/dossier_audit.html", page=paginate(request, events), q=query)


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
