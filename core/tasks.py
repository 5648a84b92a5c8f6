"""Thin tasks: call a service."""

from celery import shared_task

from core import idempotency, tokens


@shared_task(name="core.tasks.tokens_delete_expired")
def tokens_delete_expired():
    return tokens.tokens_delete_expired()


@shared_task(name="core.tasks.idempotency_keys_purge")
def idempotency_keys_purge():
    return idempotency.keys_purge()
