from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from accounts.roles import INVESTIGATOR
from audit.services import client_ip
from cases.forms import DossierForm, DossierSearchForm
from cases.selectors import dossier_for, dossier_search, membership_of
from cases.services import dossier_create
from config.web import paginate, role_required
from evidence.models import EvidenceFile
from evidence.selectors import exhibits_with_counts, triage_totals


@login_required
def home(request):
    form = DossierSearchForm(request.GET or None)
    query = form.cleaned_data if form.is_valid() else {}
    dossiers = dossier_search(user=request.user, query=query.get("q", ""), status=query.get("status", ""))
    return render(request, "cases/home.html", {"form": form, "page": paginate(request, dossiers)})


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
def dossier_detail(request, pk: int):
    dossier = dossier_for(request.user, pk)
    membership = membership_of(request.user, dossier)
    files = EvidenceFile.objects.filter(exhibit__dossier=dossier)
    return render(
        request,
        "cases/dossier_detail.html",
        {
            "dossier": dossier,
            "membership": membership,
            "totals": triage_totals(files),
            "exhibits": exhibits_with_counts(dossier),
            "team": dossier.memberships.select_related("user").order_by("role", "user__username"),
        },
    )
