"""Periodic quote work (beat entry ``sales-quotes-expire``)."""

from celery import shared_task

from crm.sales.orders import quote_services


@shared_task(name="crm.sales.orders.tasks.quotes_expire")
def quotes_expire():
    return quote_services.quotes_expire()
