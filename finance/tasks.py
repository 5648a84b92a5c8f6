from celery import shared_task

from finance.payables.notices import bills_due_notify


@shared_task
def bills_due_notice() -> int:
    """Beat job, daily: finance users hear of bills overdue and due soon (once a day)."""
    return bills_due_notify()
