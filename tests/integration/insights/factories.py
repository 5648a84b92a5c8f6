"""Order histories for the selling tests: orders written through the order service, dated and
put in the state the fulfilment bridge would have left them."""

from datetime import date, timedelta
from decimal import Decimal

from crm.sales.models import SalesOrder
from crm.sales.orders import services as order_services

# The tests' "today" (passed to the functions that take one).
TODAY = date(2026, 12, 5)


def days_ago(n: int) -> date:
    return TODAY - timedelta(days=n)


def bought(customer, day, *lines, state=SalesOrder.State.PAID, owner=None):
    """An order of ``customer`` on ``day`` with ``lines`` ((product, quantity), …) in ``state``."""
    order = order_services.order_create(
        customer=customer,
        owner=owner or customer.owner,
        lines=[{"product": product, "quantity": Decimal(str(quantity))} for product, quantity in lines],
        order_date=day,
    )
    SalesOrder.objects.filter(pk=order.pk).update(state=state)
    return order


def every(customer, product, *, gaps, last: date, quantity=10):
    """Orders of one product whose day-to-day gaps are ``gaps``, the last on ``last``."""
    days = [last]
    for gap in reversed(gaps):
        days.insert(0, days[0] - timedelta(days=gap))
    return [bought(customer, day, (product, quantity)) for day in days]
