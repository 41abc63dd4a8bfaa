"""What runs where: Celery workers, queue depths and running jobs, for the admins' page and
for Prometheus (/metrics)."""

from django.conf import settings
from django.db.models import Count, Sum
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily

from audit.checks import last_audit_chain_check
from config.celery import app
from config.proxies import client_address
from evidence.models import BatchListing, EvidenceFile, IngestJob
from hashing.models import HashListVersion


def queue_names() -> list[str]:
    return settings.CELERY_QUEUES_ALL.split(",")


def queue_depths() -> dict[str, int | None]:
    """Messages waiting per queue (None where the broker cannot say)."""
    depths: dict[str, int | None] = {}
    try:
        with app.connection_for_read() as connection:
            channel = connection.default_channel
            for queue in queue_names():
                try:
                    depths[queue] = channel.queue_declare(queue=queue, passive=True).message_count
                except Exception:  # noqa: BLE001 - a queue never used yet, or a broker without counts
                    depths[queue] = 0 if connection.transport_cls == "filesystem" else None
    except Exception:  # noqa: BLE001 - the broker is down: the page says so
        return dict.fromkeys(queue_names())
    return depths


def workers() -> list[dict]:
    """Live workers with the queues they consume and what they run now (asks them: ~1 s)."""
    try:
        inspector = app.control.inspect(timeout=1.0)
        queues = inspector.active_queues() or {}
        active = inspector.active() or {}
    except Exception:  # noqa: BLE001 - no remote control on this broker (the file-system demo)
        return []
    return [
        {"name": name, "queues": sorted(q["name"] for q in queues.get(name, [])), "running": len(active.get(name, []))}
        for name in sorted(queues)
    ]


def running_jobs():
    jobs = IngestJob.objects.exclude(status__in=IngestJob.FINISHED).select_related("exhibit__dossier")
    imports = HashListVersion.objects.filter(
        status__in=[HashListVersion.Status.QUEUED, HashListVersion.Status.IMPORTING]
    ).select_related("hash_list")
    return list(jobs.order_by("created_at")), list(imports.order_by("created_at"))


PROCESSED_HELP = "Files hashed and matched (any state but pending); rate() of it is the ingestion speed"
AUDIT_VERIFIED_HELP = "1 if the last periodic check found the audit chain intact, 0 if broken"
AUDIT_CHECKED_HELP = "When the audit chain was last checked (Unix time)"


class ScelleCollector:
    """Prometheus gauges read at each scrape: ingest jobs and files by state, queue depths."""

    def describe(self):
        # Registering asks for the names only: no query at import time.
        yield GaugeMetricFamily("scelle_ingest_jobs", "Ingest jobs by status", labels=["status"])
        yield GaugeMetricFamily("scelle_files", "Ingested files by triage state", labels=["triage"])
        yield CounterMetricFamily("scelle_files_processed", PROCESSED_HELP)
        yield GaugeMetricFamily("scelle_queue_depth", "Celery messages waiting per queue", labels=["queue"])
        yield GaugeMetricFamily("scelle_audit_chain_verified", AUDIT_VERIFIED_HELP)
        yield GaugeMetricFamily("scelle_audit_chain_checked_timestamp_seconds", AUDIT_CHECKED_HELP)

    def collect(self):
        jobs = GaugeMetricFamily("scelle_ingest_jobs", "Ingest jobs by status", labels=["status"])
        counts = dict(IngestJob.objects.values_list("status").annotate(n=Count("id")))
        for status in IngestJob.Status.values:
            jobs.add_metric([status], counts.get(status, 0))
        yield jobs
        files = GaugeMetricFamily("scelle_files", "Ingested files by triage state", labels=["triage"])
        triage = dict(EvidenceFile.objects.values_list("triage").annotate(n=Count("id")))
        listed = BatchListing.objects.aggregate(n=Sum("files"))["n"] or 0  # listed, not rows yet
        triage[EvidenceFile.Triage.PENDING] = triage.get(EvidenceFile.Triage.PENDING, 0) + listed
        for state in EvidenceFile.Triage.values:
            files.add_metric([state], triage.get(state, 0))
        yield files
        # Files are never deleted (evidence): the processed count only grows, so rate() gives files/s.
        processed = sum(n for state, n in triage.items() if state != EvidenceFile.Triage.PENDING)
        yield CounterMetricFamily("scelle_files_processed", PROCESSED_HELP, value=processed)
        depth = GaugeMetricFamily("scelle_queue_depth", "Celery messages waiting per queue", labels=["queue"])
        for queue, waiting in queue_depths().items():
            if waiting is not None:
                depth.add_metric([queue], waiting)
        yield depth
        last = last_audit_chain_check()
        if last is not None:  # no check yet: no sample, rather than a false alarm
            yield GaugeMetricFamily(
                "scelle_audit_chain_verified", AUDIT_VERIFIED_HELP, value=1 if last.detail.get("verified") else 0
            )
            yield GaugeMetricFamily(
                "scelle_audit_chain_checked_timestamp_seconds", AUDIT_CHECKED_HELP, value=last.at.timestamp()
            )


def metrics_allowed(request) -> bool:
    # The client's address, not nginx's: a scrape that came through the proxy is not the monitoring host.
    return client_address(request) in settings.METRICS_ALLOWED_IPS
