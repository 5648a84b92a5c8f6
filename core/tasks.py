"""Thin tasks: call a service."""

from celery import shared_task

from core import idempotency, imports, tokens


@shared_task(name="core.tasks.tokens_delete_expired")
def tokens_delete_expired():
    return tokens.tokens_delete_expired()


@shared_task(name="core.tasks.idempotency_keys_purge")
def idempotency_keys_purge():
    return idempotency.keys_purge()


# A file of MAX_ROWS rows takes minutes: longer than the default limits.
@shared_task(name="core.tasks.import_write", time_limit=1800, soft_time_limit=1700)
def import_write(preview_id: str):
    preview = imports.import_preview_write(preview_id=preview_id)
    return None if preview is None else preview.state


@shared_task(name="core.tasks.import_previews_purge")
def import_previews_purge():
    return imports.import_previews_purge()
