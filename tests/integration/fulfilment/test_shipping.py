from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from core.events import names
from core.events.models import Event
from core.numbers import number_at_least
from crm.sales.models import SalesOrder
from integration.fulfilment import services, shipping
from integration.fulfilment.handlers import invoice_and_tell_customer
from integration.fulfilment.models import Return, Shipment
from scm.inventory.models import Product, Reservation, StockLevel, StockMove
from tests.integration.fulfilment.factories import (
    ContactFactory,
    CustomerFactory,
    make_order,
    receive,
    three_warehouses,
)
from tests.scm.inventory.factories import ProductFactory, ProductUnitFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(sales_user, warehouse_user):
    warehouses = three_warehouses()
    customer = CustomerFactory(owner=sales_user)
    ContactFactory(customer=customer, email="buyer@customer.example")
    return {"wh": warehouses, "customer": customer, "rep": sales_user, "picker": warehouse_user}


def reserved_order(world, capture, *lines):
    order = make_order(world["customer"], world["rep"], *lines)
    with capture(execute=True):
        services.order_confirm(order=order, user=world["rep"])
    order.refresh_from_db()
    return order


def test_pick_list_holds_what_the_order_reserved_in_that_warehouse(world, django_capture_on_commit_callbacks):
    product = ProductFactory()
    receive(product, world["wh"]["SH"], 3)
    receive(product, world["wh"]["BJ"], 10)
    order = reserved_order(world, django_capture_on_commit_callbacks, (product, 5))
    shipment = shipping.shipment_start(order=order, warehouse=world["wh"]["SH"], user=world["picker"])
    assert [(line.product_id, line.quantity) for line in shipment.lines.all()] == [(product.pk, 3)]
    again = shipping.shipment_start(order=order, warehouse=world["wh"]["SH"], user=world["picker"])
    assert again.pk == shipment.pk


def test_scanning_a_box_barcode_picks_24_units(world, django_capture_on_commit_callbacks):
    unit = ProductUnitFactory(factor=Decimal(24), barcode="6901234500024")
    receive(unit.product, world["wh"]["SH"], 48)
    order = reserved_order(world, django_capture_on_commit_callbacks, (unit.product, 30))
    shipment = shipping.shipment_start(order=order, warehouse=world["wh"]["SH"])
    shipping.shipment_scan(shipment=shipment, code="6901234500024")
    assert shipment.lines.get().picked_quantity == 24
    with pytest.raises(ValidationError) as exc:
        shipping.shipment_scan(shipment=shipment, code="6901234500024")  # 48 > 30 reserved
    assert "code" in exc.value.message_dict
    assert shipment.lines.get().picked_quantity == 24


def test_product_barcode_picks_one_unit_and_unknown_codes_are_refused(
    world, django_capture_on_commit_callbacks
):
    product = ProductFactory(barcode="6900000000017")
    receive(product, world["wh"]["SH"], 5)
    order = reserved_order(world, django_capture_on_commit_callbacks, (product, 2))
    shipment = shipping.shipment_start(order=order, warehouse=world["wh"]["SH"])
    result = shipping.shipment_scan(shipment=shipment, code="6900000000017")
    assert result.quantity == 1 and shipment.lines.get().picked_quantity == 1
    with pytest.raises(ValidationError):
        shipping.shipment_scan(shipment=shipment, code="NOPE")


def test_lot_tracked_product_needs_its_lot_scanned_first(world, django_capture_on_commit_callbacks):
    product = ProductFactory(tracking=Product.Tracking.LOT, barcode="6900000000024")
    receive(product, world["wh"]["SH"], 5, "B-2026-01", timezone.localdate() + timedelta(days=90))
    order = reserved_order(world, django_capture_on_commit_callbacks, (product, 2))
    shipment = shipping.shipment_start(order=order, warehouse=world["wh"]["SH"])
    with pytest.raises(ValidationError):
        shipping.shipment_scan(shipment=shipment, code="6900000000024")
    shipping.shipment_scan(shipment=shipment, code="B-2026-01")
    shipping.shipment_scan(shipment=shipment, code="6900000000024")
    assert shipment.lines.get().picked_quantity == 1


def ship_all(shipment, capture, **kwargs):
    for line in shipment.lines.all():
        line.picked_quantity = line.quantity
        line.save()
    with capture(execute=True):
        return shipping.shipment_ship(
            shipment=shipment, carrier="顺丰速运", tracking_number="SF1234567890", **kwargs
        )


def test_shipping_consumes_the_reservation_and_writes_moves_with_lots(
    world, django_capture_on_commit_callbacks
):
    product = ProductFactory(tracking=Product.Tracking.LOT)
    receive(product, world["wh"]["SH"], 5, "B-1", timezone.localdate() + timedelta(days=90))
    order = reserved_order(world, django_capture_on_commit_callbacks, (product, 4))
    shipment = shipping.shipment_start(order=order, warehouse=world["wh"]["SH"])
    shipment = ship_all(shipment, django_capture_on_commit_callbacks)
    assert shipment.state == Shipment.State.SHIPPED
    level = StockLevel.objects.get(product=product)
    assert (level.on_hand, level.reserved) == (1, 0)
    move = StockMove.objects.get(kind=StockMove.Kind.SHIPMENT)
    assert (move.quantity, move.lot.number, move.reference) == (-4, "B-1", shipment.number)
    assert not Reservation.objects.exists()
    order.refresh_from_db()
    assert order.lines.get().shipped_quantity == 4


def test_shipped_event_raises_the_invoice_once_and_mails_the_contact(
    world, django_capture_on_commit_callbacks
):
    product = ProductFactory()
    receive(product, world["wh"]["SH"], 5)
    order = reserved_order(world, django_capture_on_commit_callbacks, (product, 2))
    shipment = ship_all(
        shipping.shipment_start(order=order, warehouse=world["wh"]["SH"]), django_capture_on_commit_callbacks
    )
    shipment.refresh_from_db()
    assert shipment.invoice_id is not None
    order.refresh_from_db()
    assert order.lines.get().invoiced_quantity == 2
    assert order.state == SalesOrder.State.INVOICED
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["buyer@customer.example"] and "SF1234567890" in mail.outbox[0].body
    assert order.events.filter(kind="customer_notified").exists()
    event = Event.objects.get(name=names.SHIPMENT_SHIPPED)
    invoice_and_tell_customer(event)  # a second run of the same event
    order.refresh_from_db()
    assert order.lines.get().invoiced_quantity == 2
    assert len(mail.outbox) == 1


def test_partial_shipment_keeps_the_rest_reserved(world, django_capture_on_commit_callbacks):
    product = ProductFactory(barcode="6900000000031")
    receive(product, world["wh"]["SH"], 5)
    order = reserved_order(world, django_capture_on_commit_callbacks, (product, 5))
    shipment = shipping.shipment_start(order=order, warehouse=world["wh"]["SH"])
    shipping.shipment_scan(shipment=shipment, code="6900000000031")
    shipping.shipment_scan(shipment=shipment, code="6900000000031")
    with django_capture_on_commit_callbacks(execute=True):
        shipping.shipment_ship(shipment=shipment, carrier="京东物流", tracking_number="JD0001")
    order.refresh_from_db()
    line = order.lines.get()
    assert (line.shipped_quantity, line.reserved_quantity) == (2, 3)
    assert order.state == SalesOrder.State.PARTLY_SHIPPED
    assert StockLevel.objects.get(product=product).reserved == 3
    follow_up = shipping.shipment_start(order=order, warehouse=world["wh"]["SH"])
    assert follow_up.lines.get().quantity == 3


def test_shipping_more_than_reserved_is_refused_and_changes_nothing(
    world, django_capture_on_commit_callbacks
):
    product = ProductFactory()
    receive(product, world["wh"]["SH"], 10)
    order = reserved_order(world, django_capture_on_commit_callbacks, (product, 2))
    shipment = shipping.shipment_start(order=order, warehouse=world["wh"]["SH"])
    line = shipment.lines.get()
    with pytest.raises(ValidationError) as exc:
        shipping.shipment_ship(
            shipment=shipment, carrier="顺丰", tracking_number="SF1", quantities={line.pk: Decimal(3)}
        )
    assert "quantity" in exc.value.message_dict
    assert StockLevel.objects.get(product=product).on_hand == 10
    assert Shipment.objects.get(pk=shipment.pk).state == Shipment.State.PICKING


def test_ship_needs_carrier_and_tracking_number(world, django_capture_on_commit_callbacks):
    product = ProductFactory()
    receive(product, world["wh"]["SH"], 1)
    order = reserved_order(world, django_capture_on_commit_callbacks, (product, 1))
    shipment = shipping.shipment_start(order=order, warehouse=world["wh"]["SH"])
    with pytest.raises(ValidationError) as exc:
        shipping.shipment_ship(shipment=shipment, carrier="", tracking_number="")
    assert set(exc.value.message_dict) == {"carrier", "tracking_number"}


def test_return_restocks_the_same_lot_and_credits(world, django_capture_on_commit_callbacks):
    product = ProductFactory(tracking=Product.Tracking.LOT)
    expiry = timezone.localdate() + timedelta(days=60)
    receive(product, world["wh"]["SH"], 5, "B-9", expiry)
    order = reserved_order(world, django_capture_on_commit_callbacks, (product, 3))
    shipment = ship_all(
        shipping.shipment_start(order=order, warehouse=world["wh"]["SH"]), django_capture_on_commit_callbacks
    )
    line = shipment.lines.get()
    ret = shipping.return_create(
        shipment_line=line, quantity=2, disposition=Return.Disposition.RESTOCK, reason="包装破损"
    )
    assert ret.credit_note_id is not None
    level = StockLevel.objects.get(product=product, lot__number="B-9")
    assert level.on_hand == 4
    assert StockMove.objects.filter(kind=StockMove.Kind.RETURN, lot__number="B-9", quantity=2).exists()
    order.refresh_from_db()
    assert order.lines.get().returned_quantity == 2
    with pytest.raises(ValidationError):
        shipping.return_create(
            shipment_line=line, quantity=2, disposition=Return.Disposition.SCRAP, reason="多退"
        )


def test_scrapped_return_puts_nothing_back_into_stock(world, django_capture_on_commit_callbacks):
    product = ProductFactory()
    receive(product, world["wh"]["SH"], 5)
    order = reserved_order(world, django_capture_on_commit_callbacks, (product, 3))
    shipment = ship_all(
        shipping.shipment_start(order=order, warehouse=world["wh"]["SH"]), django_capture_on_commit_callbacks
    )
    shipping.return_create(
        shipment_line=shipment.lines.get(), quantity=1, disposition=Return.Disposition.SCRAP, reason="损坏"
    )
    assert StockLevel.objects.get(product=product).on_hand == 2


def test_shipment_and_return_numbers_come_from_the_counters_of_the_year(
    world, django_capture_on_commit_callbacks
):
    year = timezone.localdate().year
    number_at_least(prefix="SH", year=year, value=70)
    number_at_least(prefix="RT", year=year, value=8)
    product = ProductFactory()
    receive(product, world["wh"]["SH"], 5)
    order = reserved_order(world, django_capture_on_commit_callbacks, (product, 2))
    shipment = shipping.shipment_start(order=order, warehouse=world["wh"]["SH"])
    assert shipment.number == f"SH-{year}-00071"
    shipment = ship_all(shipment, django_capture_on_commit_callbacks)
    ret = shipping.return_create(
        shipment_line=shipment.lines.get(), quantity=1, disposition=Return.Disposition.SCRAP, reason="破损"
    )
    assert ret.number == f"RT-{year}-00009"
    assert Shipment.objects.get(pk=shipment.pk).number == f"SH-{year}-00071"
