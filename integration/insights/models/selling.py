"""Purchase cycles and co-purchase statistics, refreshed nightly."""

__all__: list[str] = []
