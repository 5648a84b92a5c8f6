"""Insights' Celery tasks: the nightly refresh of the recent days' facts (beat,
``CELERY_BEAT_SCHEDULE``)."""

import logging
from datetime import timedelta

from celery import shared_task

from integration.insights.facts import facts_rebuild, local_day

logger = logging.getLogger(__name__)
# Days back the nightly refresh recomputes: what changed with no event (a stock adjustment
# downwards, a transfer leaving, a line shortened, an order reassigned) is in the facts by the
# next morning.
RECENT_DAYS = 35


@shared_task(name="integration.insights.tasks.insights_refresh_recent")
def insights_refresh_recent() -> dict:
    today = local_day()
    counts = facts_rebuild(start=today - timedelta(days=RECENT_DAYS), end=today)
    logger.info("insights: facts of the last %s days refreshed: %s", RECENT_DAYS, counts)
    return counts
