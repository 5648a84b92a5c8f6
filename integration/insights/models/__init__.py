"""Insights' tables: the daily facts the dashboards read (``facts``) and what the nightly selling
runs keep (``selling``: purchase cycles, co-purchase statistics)."""

from integration.insights.models.facts import *  # noqa: F403
from integration.insights.models.selling import *  # noqa: F403
