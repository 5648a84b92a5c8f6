"""Event handlers of replenishment planning (filled below)."""
