"""Insights' part of the demo company: the daily facts rebuilt from the demo's documents (the
earlier steps move their timestamps back after the services ran, so the facts the events kept
are on the wrong days until rebuilt), and a check that every figure of the manager's dashboard
has something to show over the last twelve months."""

from datetime import timedelta

from integration.insights.facts import facts_rebuild, local_day
from integration.insights.figures import dashboard
from integration.insights.periods import Period


def empty_figures(user, *, today=None) -> list[str]:
    """The keys of the figures with no value over the twelve months to ``today``."""
    today = today or local_day()
    period = Period(today - timedelta(days=364), today)
    return [
        c["key"]
        for c in dashboard(user=user, period=period, previous=period.previous())
        if c["value"] is None
    ]


def build(ctx) -> None:
    counts = facts_rebuild()
    line = "insights: facts rebuilt: " + ", ".join(f"{name} {n}" for name, n in counts.items())
    manager = ctx.users.get("manager")
    if manager is not None:
        empty = empty_figures(manager)
        line += "; figures without data: " + (", ".join(empty) if empty else "none")
    ctx.say(line)
