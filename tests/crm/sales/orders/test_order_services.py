from datetime import date
from decimal import Decimal
from importlib import import_module

import pytest
from django.apps import apps as django_apps
from django.core.exceptions import ValidationError

from core.numbers import number_at_least
from crm.sales.models import OrderEvent, SalesOrder, SalesOrderLine
from crm.sales.orders import services as order_services
from crm.sales.orders import states as order_states
from tests.crm.sales.factories import CustomerFactory
from tests.scm.inventory.factories import ProductFactory, ProductUnitFactory

pytestmark = pytest.mark.django_db
S = SalesOrder.State


def make_order(customer=None, owner=None, lines=None):
    customer = customer or CustomerFactory()
    product = ProductFactory(list_price=Decimal("10.00"))
    return order_services.order_create(
        customer=customer,
        owner=owner or customer.owner,
        lines=lines or [{"product": product, "quantity": 5}],
    )


def test_order_create_converts_boxes_to_base_units_and_prices_per_box():
    customer = CustomerFactory()
    product = ProductFactory(list_price=Decimal("2.50"), tax_rate=Decimal("0.13"))
    box = ProductUnitFactory(product=product, name="box", factor=Decimal("24"))

    order = order_services.order_create(
        customer=customer,
        owner=customer.owner,
        lines=[{"product": product, "unit": box, "quantity": "3", "discount_percent": "10"}],
    )

    line = order.lines.get()
    assert line.base_quantity == Decimal("72")
    assert line.unit_price == Decimal("60.00")  # 24 × 2.50 per box
    assert line.net_amount == Decimal("162.00")  # 3 × 60 × 0.9
    assert line.tax_amount == Decimal("21.06")
    order.refresh_from_db()
    assert (order.subtotal, order.tax_total, order.total) == (
        Decimal("162.00"),
        Decimal("21.06"),
        Decimal("183.06"),
    )
    assert order.state == S.DRAFT
    assert order.number.startswith("SO-")


def test_order_create_accepts_product_and_unit_ids():
    customer = CustomerFactory()
    product = ProductFactory()
    box = ProductUnitFactory(product=product, factor=Decimal("12"))
    order = order_services.order_create(
        customer=customer,
        owner=customer.owner,
        lines=[{"product": product.pk, "unit": box.pk, "quantity": 2}],
    )
    assert order.lines.get().base_quantity == Decimal("24")


def test_inactive_product_is_refused_naming_the_line_and_nothing_is_written():
    customer = CustomerFactory()
    good = ProductFactory()
    inactive = ProductFactory(is_active=False)
    with pytest.raises(ValidationError) as err:
        order_services.order_create(
            customer=customer,
            owner=customer.owner,
            lines=[{"product": good, "quantity": 1}, {"product": inactive, "quantity": 1}],
        )
    assert "lines[1].product" in err.value.message_dict
    assert SalesOrder.objects.count() == 0
    assert SalesOrderLine.objects.count() == 0


@pytest.mark.parametrize(
    "quantity", [0, -3, "0", "abc", "NaN", "Infinity", "-inf", "1e999999999", "2000000000"]
)
def test_zero_negative_unparsable_or_huge_quantity_is_refused(quantity):
    customer = CustomerFactory()
    with pytest.raises(ValidationError) as err:
        order_services.order_create(
            customer=customer,
            owner=customer.owner,
            lines=[{"product": ProductFactory(), "quantity": quantity}],
        )
    assert "lines[0].quantity" in err.value.message_dict
    assert SalesOrder.objects.count() == 0


@pytest.mark.parametrize("field", ["unit_price", "discount_percent"])
@pytest.mark.parametrize("value", ["NaN", "Infinity", "sNaN", "abc"])
def test_price_or_discount_that_is_no_finite_number_is_refused_naming_the_field(field, value):
    customer = CustomerFactory()
    with pytest.raises(ValidationError) as err:
        order_services.order_create(
            customer=customer,
            owner=customer.owner,
            lines=[{"product": ProductFactory(), "quantity": 1, field: value}],
        )
    assert list(err.value.message_dict) == [f"lines[0].{field}"]
    assert SalesOrder.objects.count() == 0


def test_a_price_too_large_for_an_amount_is_refused():
    customer = CustomerFactory()
    with pytest.raises(ValidationError) as err:
        order_services.order_create(
            customer=customer,
            owner=customer.owner,
            lines=[{"product": ProductFactory(), "quantity": 1, "unit_price": "1e30"}],
        )
    assert "lines[0].unit_price" in err.value.message_dict


def test_fraction_of_an_indivisible_unit_is_refused():
    customer = CustomerFactory()
    with pytest.raises(ValidationError) as err:
        order_services.order_create(
            customer=customer, owner=customer.owner, lines=[{"product": ProductFactory(), "quantity": "1.5"}]
        )
    assert "lines[0].quantity" in err.value.message_dict


def test_unit_of_another_product_is_refused():
    customer = CustomerFactory()
    other_box = ProductUnitFactory()
    with pytest.raises(ValidationError) as err:
        order_services.order_create(
            customer=customer,
            owner=customer.owner,
            lines=[{"product": ProductFactory(), "unit": other_box, "quantity": 1}],
        )
    assert "lines[0].unit" in err.value.message_dict


def test_order_without_lines_is_refused():
    customer = CustomerFactory()
    with pytest.raises(ValidationError) as err:
        order_services.order_create(customer=customer, owner=customer.owner, lines=[])
    assert "lines" in err.value.message_dict


def test_confirming_twice_with_the_same_snapshot_is_refused():
    order = make_order()
    stale = SalesOrder.objects.get(pk=order.pk)
    order_states.order_transition(order=order, to_state=S.CONFIRMED)
    with pytest.raises(ValidationError) as err:
        order_states.order_transition(order=stale, to_state=S.CONFIRMED)
    assert "state" in err.value.message_dict
    assert OrderEvent.objects.filter(order=order, kind="state:confirmed").count() == 1


def test_confirming_a_confirmed_order_is_an_illegal_move():
    order = make_order()
    order_states.order_transition(order=order, to_state=S.CONFIRMED)
    with pytest.raises(ValidationError):
        order_states.order_transition(order=order, to_state=S.CONFIRMED)


def test_transition_sets_confirmed_at_and_writes_an_event():
    order = make_order()
    order_states.order_transition(order=order, to_state=S.CONFIRMED, text="ok")
    order.refresh_from_db()
    assert order.state == S.CONFIRMED
    assert order.confirmed_at is not None
    assert order.events.filter(kind="state:confirmed", text="ok").exists()


def test_line_progress_moves_by_deltas_and_refresh_derives_the_state():
    order = make_order()
    order_states.order_transition(order=order, to_state=S.CONFIRMED)
    line = order.lines.get()
    order_services.order_line_progress(line_id=line.pk, reserved=2)
    assert order_states.order_refresh_state(order_id=order.pk) == S.PARTLY_RESERVED
    order_services.order_line_progress(line_id=line.pk, reserved=3)
    assert order_states.order_refresh_state(order_id=order.pk) == S.RESERVED
    order_services.order_line_progress(line_id=line.pk, reserved=-2, shipped=2)
    assert order_states.order_refresh_state(order_id=order.pk) == S.PARTLY_SHIPPED
    order_services.order_line_progress(line_id=line.pk, reserved=-3, shipped=3)
    assert order_states.order_refresh_state(order_id=order.pk) == S.SHIPPED
    order_services.order_line_progress(line_id=line.pk, invoiced=5)
    assert order_states.order_refresh_state(order_id=order.pk) == S.INVOICED
    line.refresh_from_db()
    assert (line.reserved_quantity, line.shipped_quantity, line.invoiced_quantity) == (0, 5, 5)


def test_progress_below_zero_is_refused():
    order = make_order()
    line = order.lines.get()
    with pytest.raises(ValidationError):
        order_services.order_line_progress(line_id=line.pk, reserved=-1)


def test_refresh_never_moves_a_draft_or_cancelled_order():
    order = make_order()
    line = order.lines.get()
    order_services.order_line_progress(line_id=line.pk, reserved=5)
    assert order_states.order_refresh_state(order_id=order.pk) == S.DRAFT
    order_states.order_transition(order=order, to_state=S.CANCELLED)
    assert order_states.order_refresh_state(order_id=order.pk) == S.CANCELLED


def test_update_lines_only_for_drafts():
    order = make_order()
    product = ProductFactory(list_price=Decimal("3.00"))
    order_services.order_update_lines(order=order, lines=[{"product": product, "quantity": 4}])
    order.refresh_from_db()
    assert order.subtotal == Decimal("12.00")
    order_states.order_transition(order=order, to_state=S.CONFIRMED)
    with pytest.raises(ValidationError):
        order_services.order_update_lines(order=order, lines=[{"product": product, "quantity": 1}])


def test_timeline_text_is_shown_in_the_readers_language():
    from django.utils import translation

    order = make_order()
    order_states.order_transition(order=order, to_state=S.CONFIRMED)
    event = order.events.get(kind="state:confirmed")
    with translation.override("en"):
        assert order_services.order_event_text(event) == "Order confirmed"
    with translation.override("zh-hans"):
        assert order_services.order_event_text(event) == "订单已确认"


def test_order_update_keeps_what_is_left_out_and_clears_the_date_when_asked():
    from datetime import timedelta

    from django.utils import timezone

    order = make_order()
    day = timezone.localdate() + timedelta(days=5)
    order_services.order_update(order=order, requested_date=day)
    order_services.order_update(order=order, notes="call first")
    order.refresh_from_db()
    assert (order.requested_date, order.notes) == (day, "call first")
    order_services.order_update(order=order, requested_date=None)
    order.refresh_from_db()
    assert order.requested_date is None


def test_an_order_number_comes_from_the_counter_of_its_order_year():
    number_at_least(prefix="SO", year=2025, value=41)
    customer = CustomerFactory()
    order = order_services.order_create(
        customer=customer,
        owner=customer.owner,
        lines=[{"product": ProductFactory(), "quantity": 1}],
        order_date=date(2025, 12, 31),
    )
    assert order.number == "SO-2025-000042"
    assert SalesOrder.objects.get(pk=order.pk).number == order.number


def test_order_numbers_given_before_the_counter_are_not_given_again():
    """The data migration starts each year's counter above the numbers made from primary keys."""
    migration = import_module("crm.sales.migrations.0005_order_and_quote_number_counters")
    old = make_order()
    SalesOrder.objects.filter(pk=old.pk).update(number="SO-2024-000950")
    migration.counters_from_numbers(django_apps, None)
    new = order_services.order_create(
        customer=old.customer,
        owner=old.owner,
        lines=[{"product": ProductFactory(), "quantity": 1}],
        order_date=date(2024, 6, 1),
    )
    assert new.number == "SO-2024-000951"
