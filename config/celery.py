import gc
import os

from celery import Celery
from celery.signals import worker_init, worker_process_init
from kombu.transport import TRANSPORT_ALIASES

# "filesystem://" (the embedded default's broker) with messages written whole (config.broker_files).
TRANSPORT_ALIASES["filesystem"] = "config.broker_files:Transport"

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("scelle")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
# The hash lists' background work that reaches the evidence (evidence/list_tasks.py, on the lists queue).
app.autodiscover_tasks(related_name="list_tasks")


@worker_init.connect
@worker_process_init.connect
def freeze_start_up_objects(**_kwargs) -> None:
    """Leave what the worker loaded at start (Django, the models, the libraries: some 270,000
    objects) out of the cyclic garbage collector's passes: they live as long as the process.

    Without this, each full pass walks all of them, and a batch of small files (thousands of records
    and dicts) triggers several: 13 us a file, measured on a job of 50,000 small files (bench/).
    Cycles made later are still collected. In the main process before the pool forks, then in
    each pool process.
    """
    gc.collect()
    gc.freeze()
