# The real Celery worker for the broker tests (tests/worker.py).
from tests.worker import celery_worker_process, start_celery_worker  # noqa: F401 - fixtures for broker tests
