"""Where the customer's credit exposure is asked for by the apps below finance.

Credit exposure (open receivables + open orders against the credit limit) is finance's rule,
``finance.selectors.credit_exposure``; the order form in ``crm.sales`` shows the credit left
while a rep enters an order, but may not import finance. Finance registers its selector here
from its ``AppConfig.ready``, so every page asks the same function; this app never imports it.
"""

from collections.abc import Callable
from decimal import Decimal

_exposure: Callable | None = None


def register(exposure: Callable) -> None:
    """``exposure(*, customer, adding=Decimal) -> dict`` (``finance.selectors.credit_exposure``)."""
    global _exposure
    _exposure = exposure


def exposure(*, customer, adding: Decimal = Decimal("0")) -> dict | None:
    """The customer's credit exposure as finance computes it, or None when no module keeps
    receivables."""
    if _exposure is None:
        return None
    return _exposure(customer=customer, adding=adding)
