"""Thin tasks: call a service."""

from celery import shared_task

from core import tokens


@shared_task(name="core.tasks.tokens_delete_expired")
def tokens_delete_expired():
    return tokens.tokens_delete_expired()
