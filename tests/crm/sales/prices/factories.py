"""Price lists, promotions and customer groups for the price tests, made through the services
(the rules they check are the ones under test elsewhere)."""

from datetime import timedelta
from decimal import Decimal

import factory
from django.utils import timezone

from crm.customers.models import CustomerGroup
from crm.sales.orders.prices import services
from crm.sales.orders.prices.models import Promotion
from tests.factories import UserFactory


class CustomerGroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CustomerGroup
        django_get_or_create = ["code"]

    code = factory.Sequence(lambda n: f"G{n:03d}")
    name = factory.Sequence(lambda n: f"重点客户 {n}")


def today():
    return timezone.localdate()


def days(n):
    return today() + timedelta(days=n)


def manager():
    return UserFactory(roles=["manager"])


def price_list(
    *, customer=None, group=None, lines, valid_from=None, valid_until=None, name="协议价", user=None, **kw
):
    """A price list through the service. ``lines``: (product, price[, min_quantity[, unit]])."""
    rows = []
    for line in lines:
        product, price, *rest = line
        row = {"product": product, "price": Decimal(str(price))}
        if rest:
            row["min_quantity"] = rest[0]
        if len(rest) > 1:
            row["unit"] = rest[1]
        rows.append(row)
    return services.price_list_save(
        user=user or manager(),
        name=name,
        customer=customer,
        group=group,
        valid_from=valid_from or days(-10),
        valid_until=valid_until,
        lines=rows,
        **kw,
    )


def order_discount(*, threshold="10000", percent=None, amount=None, valid_from=None, valid_until=None, **kw):
    """ "满 10,000 享 9 折" by default."""
    if percent is None and amount is None:
        percent = "10"
    return services.promotion_save(
        user=manager(),
        name=kw.pop("name", "满 10,000 享 9 折"),
        kind=Promotion.Kind.ORDER,
        valid_from=valid_from or days(-5),
        valid_until=valid_until or days(25),
        threshold=threshold,
        discount_percent=percent,
        discount_amount=amount,
        **kw,
    )


def buy_get(*, buy, buy_quantity, get, get_quantity, percent="100", valid_from=None, valid_until=None, **kw):
    return services.promotion_save(
        user=manager(),
        name=kw.pop("name", "买十送一"),
        kind=Promotion.Kind.BUY_GET,
        valid_from=valid_from or days(-5),
        valid_until=valid_until or days(25),
        buy_product=buy,
        buy_quantity=buy_quantity,
        get_product=get,
        get_quantity=get_quantity,
        get_discount_percent=percent,
        **kw,
    )
