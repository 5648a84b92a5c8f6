"""Thin tasks: load by id, call a service."""

from celery import shared_task

from core.events import dispatch


@shared_task(name="core.events.tasks.dispatch_event")
def dispatch_event(event_id: int | None):
    return dispatch.event_dispatch(event_id=event_id)


@shared_task(name="core.events.tasks.dispatch_delivery")
def dispatch_delivery(delivery_id: int):
    return dispatch.delivery_run(delivery_id=delivery_id)


@shared_task(name="core.events.tasks.sweep")
def sweep():
    return dispatch.sweep()
