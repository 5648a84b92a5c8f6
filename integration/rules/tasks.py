"""Periodic rules (beat entry ``rules-customers-inactive``)."""

from celery import shared_task

from integration.rules import services


@shared_task(name="integration.rules.tasks.customers_inactive_sweep")
def customers_inactive_sweep():
    return services.customers_inactive_sweep()
