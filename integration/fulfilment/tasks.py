"""Periodic rules of the bridge (beat entry ``fulfilment-backorders-sweep``)."""

from celery import shared_task

from integration.fulfilment import backorders


@shared_task(name="integration.fulfilment.tasks.backorders_sweep")
def backorders_sweep():
    return str(backorders.backorders_sweep())


@shared_task(name="integration.fulfilment.tasks.deliveries_estimate")
def deliveries_estimate():
    """Nightly: shipments past their expected day with no confirmation are taken as delivered."""
    from integration.fulfilment import delivery

    return delivery.deliveries_estimate()
