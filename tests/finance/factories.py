from datetime import date
from decimal import Decimal

import factory

from crm.customers.models import Customer, Team
from finance import services


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team

    name = factory.Sequence(lambda n: f"Team {n}")


class CustomerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Customer

    code = factory.Sequence(lambda n: f"C{n:05d}")
    name = factory.Sequence(lambda n: f"客户 {n}")
    payment_terms_days = 30
    credit_limit = Decimal("100000.00")


def line(amount="100.00", quantity="1", tax_rate="0", description="货物"):
    return {"description": description, "quantity": quantity, "unit_price": amount, "tax_rate": tax_rate}


def make_invoice(customer, amount="100.00", issue_date=None, **kwargs):
    """An invoice of one untaxed line of ``amount``."""
    return services.invoice_create(
        customer=customer,
        lines=[line(amount)],
        issue_date=issue_date or date(2026, 1, 10),
        **kwargs,
    )
