"""The health endpoint: database, broker, evidence storage, and a live worker on every queue.

Built on django-health-check. Monitoring reads it (JSON with `Accept: application/json`, or
`?format=openmetrics`); it answers 500 as soon as one check fails, naming which.
"""

import dataclasses
import datetime

from django.conf import settings
from health_check.base import HealthCheck
from health_check.contrib.celery import Ping
from health_check.exceptions import ServiceUnavailable
from health_check.views import HealthCheckView

from config.celery import app
from evidence.store import check_writable


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
        active = {
            queue.get("name")
            for queues in (self.app.control.inspect(list(active_workers)).active_queues() or {}).values()
            for queue in queues
        }
        missing = sorted(set(settings.CELERY_QUEUES_ALL.split(",")) - active)
        if missing:
            raise ServiceUnavailable(f"no worker for the queue(s): {', '.join(missing)}")


class ScelleHealthView(HealthCheckView):
    checks = ("health_check.checks.Database", Broker, EvidenceStorage, Workers)
