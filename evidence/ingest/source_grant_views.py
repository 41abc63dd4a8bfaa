"""The admins' page of evidence folders: which folder of the evidence server each dossier may reach."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.decorators import role_required, step_up_required
from accounts.roles import ADMIN
from audit.services import client_ip
from evidence.forms import SourceGrantForm
from evidence.ingest.source_grants import source_grant_create, source_grant_revoke, source_grants_overview
from evidence.models import SourceGrant


@login_required
@role_required(ADMIN)
@step_up_required
def source_grants(request):
    form = SourceGrantForm(request.POST or None, roots=settings.EVIDENCE_SOURCES)
    if request.method == "POST" and form.is_valid():
        try:
            grant = source_grant_create(
                dossier=form.dossier,
                root_index=form.cleaned_data["root"],
                folder=form.cleaned_data["folder"],
                note=form.cleaned_data["note"],
                by=request.user,
                ip=client_ip(request),
            )
        except ValidationError as error:
            form.add_error("folder", error)
        else:
            messages.success(
                request,
                _("%(folder)s granted to %(notice)s.")
                % {"folder": grant.folder, "notice": grant.dossier.notice_number},
            )
            return redirect("source_grants")
    return render(request, "evidence/source_grants.html", {"form": form, "grants": source_grants_overview()})


@login_required
@role_required(ADMIN)
@step_up_required
@require_POST
def source_grant_revoke_view(request, pk: int):
    grant = source_grant_revoke(grant=get_object_or_404(SourceGrant, pk=pk), by=request.user, ip=client_ip(request))
    messages.success(
        request,
        _("%(folder)s revoked for %(notice)s.") % {"folder": grant.folder, "notice": grant.dossier.notice_number},
    )
    return redirect("source_grants")
