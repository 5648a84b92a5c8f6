"""Planning's Celery tasks: the nightly run (beat, ``CELERY_BEAT_SCHEDULE``)."""

import logging

from celery import shared_task

from integration.planning import engine, history
from integration.planning.models import Suggestion

logger = logging.getLogger(__name__)


@shared_task(name="integration.planning.tasks.planning_nightly")
def planning_nightly() -> dict:
    """Today's stock-out days marked, then every product planned and its suggestions refreshed."""
    history.stockout_mark()
    result = engine.planning_run(trigger=Suggestion.Trigger.NIGHTLY)
    logger.info("planning: %s", result)
    return result
