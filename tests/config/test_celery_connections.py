from types import SimpleNamespace
from unittest import mock

from celery.fixups.django import DjangoWorkerFixup

from config.celery import app


def test_worker_keeps_its_database_connection_from_one_task_to_the_next():
    fixup = DjangoWorkerFixup(app)
    conn = mock.Mock()
    task = SimpleNamespace(request=SimpleNamespace(is_eager=False))
    with mock.patch.object(fixup._db.connections, "all", return_value=[conn]):
        for _ in range(100):
            fixup.on_task_prerun(sender=task)
            fixup.on_task_postrun(sender=task)
    conn.close.assert_not_called()


def test_worker_closes_a_broken_or_obsolete_connection_after_a_task():
    from config.celery import close_old_connections

    task = SimpleNamespace(request=SimpleNamespace(is_eager=False))
    with mock.patch("django.db.close_old_connections") as close:
        close_old_connections(task=task)
    close.assert_called_once()
