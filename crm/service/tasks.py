from celery import shared_task


@shared_task
def sla_check() -> dict:
    """Every 15 minutes (``CELERY_BEAT_SCHEDULE``): warn before SLA breaches, record breaches."""
    from crm.service.sla import sla_check as check

    return check()
