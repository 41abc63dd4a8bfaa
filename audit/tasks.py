from celery import shared_task

from audit.checks import audit_chain_check


@shared_task(acks_late=True)
def audit_chain_verify() -> None:
    """Run by Celery beat every AUDIT_VERIFY_SECONDS, on the `default` queue."""
    audit_chain_check()
