"""Thin tasks: load by id, call a service."""

from celery import shared_task

from crm.customers import imports


# A file of MAX_ROWS rows takes minutes: longer than the default limits.
@shared_task(name="crm.customers.tasks.import_write", time_limit=1800, soft_time_limit=1700)
def import_write(preview_id: str):
    preview = imports.import_preview_write(preview_id=preview_id)
    return None if preview is None else preview.state


@shared_task(name="crm.customers.tasks.import_previews_purge")
def import_previews_purge():
    return imports.import_previews_purge()
