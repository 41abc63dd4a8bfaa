from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from accounts.roles import ADMIN
from audit.selectors import audit_chain_head, audit_events_search
from config.web import paginate, role_required


@login_required
@role_required(ADMIN)
def audit_log(request):
    query = request.GET.get("q", "").strip()
    action = request.GET.get("action", "").strip()
    events = audit_events_search(query=query, action=action)
    context = {"page": paginate(request, events), "q": query, "action": action, "head": audit_chain_head()}
    return render(request, "audit/log.html", context)
