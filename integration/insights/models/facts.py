"""Daily facts kept by events (see ``integration.insights.facts``)."""

__all__: list[str] = []
