"""The health endpoint: database, broker, evidence storage, and a live worker on every queue.

Built on django-health-check. Monitoring reads it (JSON with `Accept: application/json`, or
`?format=openmetrics`); it answers 500 as soon as one check fails, naming which.

The checks connect to the broker, write a file and wait for the workers: only admins and the
monitoring host (METRICS_ALLOWED_IPS, asking gunicorn directly as for /metrics) may make the
server do that. Anyone else gets a cheap liveness answer that touches nothing.
"""

import dataclasses
import datetime

from asgiref.sync import sync_to_async
from django.conf import settings
from django.http import JsonResponse
from health_check.base import HealthCheck
from health_check.contrib.celery import Ping
from health_check.exceptions import ServiceUnavailable
from health_check.views import HealthCheckView

from accounts.roles import ADMIN, has_role
from config.celery import app
from config.store import check_writable
from config.workers import queues_consumed
from scelle.operations import metrics_allowed


@dataclasses.dataclass
class Broker(HealthCheck):
    """The Celery broker answers."""

    def run(self):
        try:
            with app.connection_for_write() as connection:
                connection.ensure_connection(max_retries=1, timeout=2)
        except Exception as error:  # noqa: BLE001 - any failure means the broker is not usable
            raise ServiceUnavailable(f"broker unreachable: {error.__class__.__name__}") from error


@dataclasses.dataclass
class EvidenceStorage(HealthCheck):
    """The evidence and derived stores (a shared path or the object store) can be written."""

    def run(self):
        try:
            check_writable()
        except OSError as error:
            raise ServiceUnavailable(f"evidence storage not writable: {error.strerror or error}") from error


@dataclasses.dataclass
class Workers(Ping):
    """At least one live worker consumes each of the project's queues (default, ingest, lists)."""

    timeout: datetime.timedelta = dataclasses.field(default=datetime.timedelta(seconds=2), repr=False)

    def check_active_queues(self, *active_workers):
        active = queues_consumed(timeout=self.timeout.total_seconds(), app=self.app, workers=list(active_workers))
        if active is None:
            raise ServiceUnavailable("cannot ask the workers which queues they consume")
        missing = sorted(set(settings.CELERY_QUEUES_ALL.split(",")) - active)
        if missing:
            raise ServiceUnavailable(f"no worker for the queue(s): {', '.join(missing)}")


# Headers nginx sets on what it forwards (deploy/nginx/scelle.conf): behind it every request comes
# from 127.0.0.1, which is also a monitoring address; the monitoring host asks gunicorn directly.
PROXY_HEADERS = ("HTTP_X_FORWARDED_FOR", "HTTP_X_REAL_IP")


def health_details_allowed(request) -> bool:
    """An admin (a verified session: accounts.middleware), or the monitoring host asking directly."""
    if has_role(request.user, ADMIN):
        return True
    return metrics_allowed(request) and not any(header in request.META for header in PROXY_HEADERS)


class ScelleHealthView(HealthCheckView):
    checks = ("health_check.checks.Database", Broker, EvidenceStorage, Workers)

    async def get(self, request, *args, **kwargs):
        if not await sync_to_async(health_details_allowed)(request):
            return JsonResponse({"status": "alive"})
        return await super().get(request, *args, **kwargs)
