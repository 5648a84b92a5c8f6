"""Planning's Celery tasks (filled below)."""
