"""Writes of the selling loop: the nightly refresh (purchase cycles, co-purchases, follow-up
tasks) and a quote made from a suggestion (through ``crm.sales.orders.quote_services``)."""

import logging
import time
from datetime import date

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from core.money import decimal_input
from crm.customers.selectors import customer_check_writable
from crm.sales.orders import quote_services
from integration.insights import crosssell, cycles, reminders

logger = logging.getLogger(__name__)


def selling_refresh(*, today: date | None = None) -> dict:
    """The nightly run: purchase cycles detected again, co-purchase rules counted again, then a
    follow-up task for each cycle now due. Each step in its own transaction; returns what each
    did and how long it took (seconds)."""
    today = today or timezone.localdate()
    result = {}
    for name, step in (
        ("cycles", cycles.cycles_refresh),
        ("copurchases", crosssell.copurchase_refresh),
        ("reminders", reminders.reminders_create),
    ):
        started = time.perf_counter()
        result[name] = step(today=today)
        result[name]["seconds"] = round(time.perf_counter() - started, 3)
    logger.info("insights selling: %s", result)
    return result


def suggestion_quote_create(*, customer, product_id, quantity, user):
    """A draft quote for ``customer`` with one line of the suggested product, made by ``user``
    (who must be able to read the customer: otherwise it does not exist). The line is priced and
    checked by the quote service; bad input raises a ``ValidationError`` naming the field
    (``product``, ``quantity``)."""
    customer_check_writable(user, customer)
    if product_id is None:
        raise ValidationError({"product": _("Choose a product.")})
    amount = decimal_input(quantity, field="quantity", blank="1")
    if amount <= 0:
        raise ValidationError({"quantity": _("The quantity must be greater than zero.")})
    try:
        return quote_services.quote_create(
            customer=customer, owner=user, lines=[{"product": product_id, "quantity": amount}]
        )
    except ValidationError as exc:
        if not hasattr(exc, "error_dict"):
            raise
        raise ValidationError(
            {name.removeprefix("lines[0]."): errors for name, errors in exc.message_dict.items()}
        ) from None
