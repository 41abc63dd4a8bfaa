from collections.abc import Callable

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from accounts.roles import ADMIN
from audit.models import AuditEvent
from audit.selectors import ReadScope, audit_chain_head, audit_events_readable, audit_events_search
from config.web import paginate, role_required


@login_required
@role_required(ADMIN)
def audit_log(request, *, read_scope: Callable[..., ReadScope]):
    """The whole log for admins, each dossier's events masked unless the admin is on its team.

    ``read_scope`` (user -> ReadScope) comes from the dossier layer through the URL configuration:
    the audit app sits below cases and does not import it.
    """
    query = request.GET.get("q", "").strip()
    action = request.GET.get("action", "").strip()
    events = audit_events_readable(AuditEvent.objects.all(), scope=read_scope(request.user))
    events = audit_events_search(events, query=query, action=action)
    context = {"page": paginate(request, events), "q": query, "action": action, "head": audit_chain_head()}
    return render(request, "audit/log.html", context)
