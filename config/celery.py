import os

from celery import Celery
from celery.signals import task_postrun, task_prerun

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("tandem")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@task_prerun.connect
@task_postrun.connect
def close_old_connections(task=None, **kwargs) -> None:
    """Around each task, as around each request: a connection past CONN_MAX_AGE, or broken by an
    error, is closed (the next query opens a fresh one); a kept one is health-checked on first
    use. With ``CELERY_DB_REUSE_MAX`` set, Celery itself no longer closes it every time."""
    if task is not None and getattr(task.request, "is_eager", False):
        return
    from django.db import close_old_connections as close

    close()
