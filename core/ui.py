"""One colour per status everywhere. Apps add their statuses with ``register_status_colours``."""

STATUS_COLOURS: dict[str, str] = {
    "draft": "secondary",
    "open": "primary",
    "pending": "warning",
    "done": "success",
    "dead": "danger",
    "cancelled": "dark",
    "active": "success",
    "inactive": "secondary",
}


def register_status_colours(colours: dict[str, str]) -> None:
    STATUS_COLOURS.update(colours)


def status_colour(status) -> str:
    return STATUS_COLOURS.get(str(status), "secondary")
