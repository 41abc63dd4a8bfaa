from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, HttpResponseForbidden
from django.shortcuts import render
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, generate_latest

from accounts.roles import ADMIN
from config import operations
from config.web import role_required

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
