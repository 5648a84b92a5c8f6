"""What a plan or a suggestion warns about, stored as a message key with its parameters
(``{"key": ..., "params": {...}}``) and rendered in the reader's language (``warning_text``)."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

NO_LEAD_TIME = "no_lead_time"
NO_SUPPLIER = "no_supplier"
NO_HISTORY = "no_history"
STOCKOUTS = "stockouts"
SHORT_HISTORY = "short_history"
NO_PRICE = "no_price"

MESSAGES = {
    NO_LEAD_TIME: gettext_noop(
        "%(supplier)s states no lead time for this product: the default of %(days)s days is used."
    ),
    NO_SUPPLIER: gettext_noop("No active supplier sells this product: add one before ordering."),
    NO_HISTORY: gettext_noop(
        "No sales history: the product's hand-set reorder point and reorder quantity are used."
    ),
    STOCKOUTS: gettext_noop("%(days)s stock-out days were left out of the history."),
    SHORT_HISTORY: gettext_noop("Only %(days)s days of history: the forecast is rough."),
    NO_PRICE: gettext_noop("%(supplier)s has no price for this quantity today: add one before ordering."),
}


def warning(key: str, **params) -> dict:
    return {"key": key, "params": {k: str(v) for k, v in params.items()}}


def warning_text(item: dict) -> str:
    """One stored warning in the active language (an unknown key shows as it is)."""
    message = MESSAGES.get(item.get("key", ""))
    if message is None:
        return str(item.get("key", ""))
    try:
        return _(message) % item.get("params", {})
    except (KeyError, TypeError, ValueError):
        return _(message)
