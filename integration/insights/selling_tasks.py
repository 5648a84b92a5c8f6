"""The selling loop's nightly task (beat, ``CELERY_BEAT_SCHEDULE``: ``insights-selling-nightly``)."""

from celery import shared_task

from integration.insights.selling_services import selling_refresh


@shared_task(name="integration.insights.selling_tasks.selling_nightly")
def selling_nightly() -> dict:
    """Purchase cycles and co-purchases refreshed, follow-up tasks for the cycles due."""
    return selling_refresh()
