"""Charged parts used on a ticket are invoiced: one AR invoice, a line per part with the
product's tax rate; parts under warranty are not; the handler run twice raises one invoice."""

from datetime import date
from decimal import Decimal

import pytest
from django.utils import timezone

from core.events import names
from core.events.models import Event
from crm.service import parts
from crm.service.models import Ticket, TicketPart
from crm.service.warranty import add_months
from finance.models import Invoice
from integration.aftersales.parts_billing import invoice_used_parts
from scm.inventory import services as stock
from tests.crm.customers.factories import CustomerFactory
from tests.crm.service.factories import TicketFactory
from tests.crm.service.parts.factories import GUANGZHOU_CUSTOMER, VisitFactory, city_warehouses
from tests.factories import UserFactory
from tests.scm.inventory.factories import ProductFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    wh = city_warehouses()
    lat, lon = GUANGZHOU_CUSTOMER
    ticket = TicketFactory(customer=CustomerFactory(latitude=lat, longitude=lon), category="repair")
    kit = ProductFactory(name="空调安装支架", list_price=Decimal("80.00"), tax_rate=Decimal("0.13"))
    pipe = ProductFactory(name="铜管", list_price=Decimal("25.50"), tax_rate=Decimal("0.09"))
    for product in (kit, pipe):
        stock.stock_receive(product=product, warehouse=wh["广州"], quantity=10)
    return ticket, kit, pipe, UserFactory(roles=["service"])


def _use(ticket, capture):
    with capture(execute=True):
        return parts.ticket_parts_consume(ticket=ticket, visit=VisitFactory(ticket=ticket))


def test_charged_parts_go_on_one_invoice_with_their_tax_rates(world, django_capture_on_commit_callbacks):
    ticket, kit, pipe, engineer = world
    first = parts.ticket_part_add(ticket=ticket, product=kit, quantity=2, user=engineer)
    second = parts.ticket_part_add(ticket=ticket, product=pipe, quantity=3, user=engineer)

    _use(ticket, django_capture_on_commit_callbacks)

    invoice = Invoice.objects.get()
    assert invoice.customer_id == ticket.customer_id
    lines = sorted(
        invoice.lines.values_list("product_id", "quantity", "unit_price", "tax_rate", "tax_amount")
    )
    assert lines == sorted(
        [
            (kit.pk, Decimal(2), Decimal("80.00"), Decimal("0.13"), Decimal("20.80")),
            (pipe.pk, Decimal(3), Decimal("25.50"), Decimal("0.09"), Decimal("6.89")),
        ]
    )
    assert invoice.subtotal == Decimal("236.50")
    assert invoice.total == Decimal("264.19")
    assert set(TicketPart.objects.values_list("invoice_id", flat=True)) == {invoice.pk}
    assert {first.pk, second.pk} == set(
        TicketPart.objects.filter(invoice_id=invoice.pk).values_list("pk", flat=True)
    )


def test_parts_under_warranty_raise_no_invoice(world, django_capture_on_commit_callbacks):
    ticket, kit, _pipe, engineer = world
    unit = ProductFactory(warranty_months=36)
    Ticket.objects.filter(pk=ticket.pk).update(product=unit, shipped_on=add_months(timezone.localdate(), -6))
    ticket.refresh_from_db()
    part = parts.ticket_part_add(ticket=ticket, product=kit, quantity=1, user=engineer)

    _use(ticket, django_capture_on_commit_callbacks)

    assert not Invoice.objects.exists()
    part.refresh_from_db()
    assert part.state == TicketPart.State.CONSUMED and part.invoice_id is None


def test_the_handler_run_twice_raises_one_invoice(world, django_capture_on_commit_callbacks):
    ticket, kit, _pipe, engineer = world
    parts.ticket_part_add(ticket=ticket, product=kit, quantity=1, user=engineer)
    _use(ticket, django_capture_on_commit_callbacks)
    event = Event.objects.get(name=names.TICKET_PARTS_USED)

    invoice_used_parts(event)
    invoice_used_parts(event)

    assert Invoice.objects.count() == 1
    assert Invoice.objects.get().total == Decimal("90.40")


def test_only_the_charged_parts_of_a_visit_are_invoiced(world, django_capture_on_commit_callbacks):
    ticket, kit, pipe, engineer = world
    unit = ProductFactory(warranty_months=12)
    Ticket.objects.filter(pk=ticket.pk).update(product=unit, shipped_on=date(2020, 1, 1))
    ticket.refresh_from_db()
    parts.ticket_part_add(ticket=ticket, product=kit, quantity=1, user=engineer)

    _use(ticket, django_capture_on_commit_callbacks)

    invoice = Invoice.objects.get()
    assert invoice.lines.count() == 1 and invoice.subtotal == Decimal("80.00")
