from collections.abc import Callable

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, HttpResponseForbidden
from django.shortcuts import render
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, generate_latest

from accounts.decorators import role_required
from accounts.roles import ADMIN
from audit.models import AuditEvent
from audit.selectors import ReadScope, audit_chain_head, audit_events_readable, audit_events_search
from config.web import paginate
from scelle import operations

_collector = operations.ScelleCollector()
REGISTRY.register(_collector)


def metrics(request):
    """Prometheus metrics: requests and database (django-prometheus), jobs, files, queue depths."""
    if not operations.metrics_allowed(request):
        return HttpResponseForbidden("metrics are served to the monitoring host only")
    return HttpResponse(generate_latest(REGISTRY), content_type=CONTENT_TYPE_LATEST)


@login_required
@role_required(ADMIN)
def operations_page(request):
    """For admins: which workers run, on which queues, what waits, and which jobs are running."""
    jobs, imports = operations.running_jobs()
    context = {
        "workers": operations.workers(),
        "depths": operations.queue_depths(),
        "queues": operations.queue_names(),
        "jobs": jobs,
        "imports": imports,
    }
    return render(request, "operations.html", context)


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
