"""One click: the chosen suggestions become draft purchase orders grouped by supplier and
warehouse and draft transfers grouped by route, and nothing else; a second click adds nothing;
dismissing needs a reason; overrides and service levels refuse bad input by name."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from integration.planning import services
from integration.planning.models import Plan, Suggestion
from scm.inventory.models import Transfer
from scm.purchasing.models import PurchaseOrder
from tests.factories import UserFactory
from tests.integration.fulfilment.factories import receive, three_warehouses
from tests.integration.planning.factories import SuggestionFactory
from tests.scm.inventory.factories import CategoryFactory, ProductFactory
from tests.scm.purchasing.factories import SupplierFactory, SupplierPriceFactory, SupplierProductFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def wh():
    return three_warehouses()


@pytest.fixture
def buyer():
    return UserFactory(roles=["purchasing"])


def _purchase(product, warehouse, supplier, quantity):
    sp = SupplierProductFactory(product=product, supplier=supplier)
    SupplierPriceFactory(supplier_product=sp)
    return SuggestionFactory(
        product=product,
        warehouse=warehouse,
        supplier=supplier,
        supplier_product=sp,
        quantity=quantity,
        order_quantity=quantity,
    )


def test_accepting_makes_one_draft_order_per_supplier_and_warehouse(wh, buyer):
    acme, other = SupplierFactory(), SupplierFactory()
    a = _purchase(ProductFactory(), wh["GZ"], acme, Decimal(10))
    b = _purchase(ProductFactory(), wh["GZ"], acme, Decimal(20))
    c = _purchase(ProductFactory(), wh["GZ"], other, Decimal(30))
    result = services.suggestions_accept(ids=[a.pk, b.pk, c.pk], user=buyer)
    assert len(result.purchase_orders) == 2
    order = PurchaseOrder.objects.get(supplier=acme)
    assert order.state == PurchaseOrder.State.DRAFT and order.warehouse == wh["GZ"] and order.owner == buyer
    assert sorted(order.lines.values_list("quantity", flat=True)) == [Decimal(10), Decimal(20)]
    assert set(Suggestion.objects.values_list("state", flat=True)) == {Suggestion.State.ACCEPTED}
    a.refresh_from_db()
    assert (a.purchase_order, a.decided_by) == (order, buyer)


def test_accepting_transfers_makes_one_draft_transfer_per_route(wh, buyer):
    p1, p2 = ProductFactory(), ProductFactory()
    receive(p1, wh["SH"], 50)
    receive(p2, wh["SH"], 50)
    s1 = SuggestionFactory(
        kind=Suggestion.Kind.TRANSFER, product=p1, warehouse=wh["GZ"], source_warehouse=wh["SH"]
    )
    s2 = SuggestionFactory(
        kind=Suggestion.Kind.TRANSFER, product=p2, warehouse=wh["GZ"], source_warehouse=wh["SH"]
    )
    result = services.suggestions_accept(ids=[s1.pk, s2.pk], user=buyer)
    (transfer,) = result.transfers
    assert (transfer.source, transfer.destination, transfer.state) == (
        wh["SH"],
        wh["GZ"],
        Transfer.State.DRAFT,
    )
    assert transfer.lines.count() == 2
    assert PurchaseOrder.objects.count() == 0


def test_a_second_click_creates_nothing(wh, buyer):
    s = _purchase(ProductFactory(), wh["GZ"], SupplierFactory(), Decimal(10))
    services.suggestions_accept(ids=[s.pk], user=buyer)
    again = services.suggestions_accept(ids=[s.pk], user=buyer)
    assert (again.purchase_orders, again.transfers, again.skipped) == ([], [], 1)
    assert PurchaseOrder.objects.count() == 1


def test_a_purchase_without_a_supplier_is_refused_and_nothing_is_created(wh, buyer):
    good = _purchase(ProductFactory(), wh["GZ"], SupplierFactory(), Decimal(10))
    orphan = SuggestionFactory(warehouse=wh["GZ"])
    with pytest.raises(ValidationError) as exc:
        services.suggestions_accept(ids=[good.pk, orphan.pk], user=buyer)
    assert "suggestions" in exc.value.message_dict
    assert PurchaseOrder.objects.count() == 0
    assert Suggestion.objects.filter(state=Suggestion.State.OPEN).count() == 2


def test_sales_may_not_accept_suggestions(wh):
    s = SuggestionFactory(warehouse=wh["GZ"])
    with pytest.raises(PermissionDenied):
        services.suggestions_accept(ids=[s.pk], user=UserFactory(roles=["sales"]))


def test_unknown_or_malformed_ids_are_refused_by_name(buyer):
    for ids in ([987654], ["²"], [], "abc"):
        with pytest.raises(ValidationError) as exc:
            services.suggestions_accept(ids=ids, user=buyer)
        assert "suggestions" in exc.value.message_dict


def test_dismissing_needs_a_reason_and_keeps_the_record(wh, buyer):
    s = SuggestionFactory(warehouse=wh["GZ"])
    with pytest.raises(ValidationError) as exc:
        services.suggestions_dismiss(ids=[s.pk], user=buyer, reason="  ")
    assert "reason" in exc.value.message_dict
    assert services.suggestions_dismiss(ids=[s.pk], user=buyer, reason="促销结束") == 1
    s.refresh_from_db()
    assert (s.state, s.dismiss_reason, s.decided_by) == (Suggestion.State.DISMISSED, "促销结束", buyer)


@pytest.mark.parametrize(
    ("point", "up_to", "field"),
    [
        ("-1", "10", "reorder_point"),
        ("1e30", "10", "reorder_point"),
        ("abc", "10", "reorder_point"),
        ("NaN", "10", "reorder_point"),
        ("10", "5", "order_up_to"),
        ("10", "-5", "order_up_to"),
    ],
)
def test_bad_overrides_are_refused_by_field(wh, buyer, point, up_to, field):
    with pytest.raises(ValidationError) as exc:
        services.plan_override_set(
            product=ProductFactory(), warehouse=wh["GZ"], reorder_point=point, order_up_to=up_to, user=buyer
        )
    assert field in exc.value.message_dict


def test_an_override_applies_at_once(wh, buyer):
    product = ProductFactory()
    services.plan_override_set(
        product=product, warehouse=wh["GZ"], reorder_point="5", order_up_to="30", user=buyer
    )
    plan = Plan.objects.get(product=product, warehouse=wh["GZ"])
    assert (plan.source, plan.reorder_point) == (Plan.Source.OVERRIDE, Decimal(5))
    assert Suggestion.objects.get(product=product).quantity == Decimal(30)


@pytest.mark.parametrize("level", ["50", "100", "99.95", "-5", "abc", "1e30"])
def test_service_levels_outside_50_to_99_9_are_refused(buyer, level):
    with pytest.raises(ValidationError) as exc:
        services.category_service_level_set(category=CategoryFactory(), service_level=level, user=buyer)
    assert "service_level" in exc.value.message_dict


def test_a_service_level_of_99_9_is_accepted(buyer):
    row = services.category_service_level_set(category=CategoryFactory(), service_level="99.9", user=buyer)
    assert row.service_level == Decimal("99.9")


def test_a_supplier_without_a_price_is_named_with_the_product_and_nothing_is_created(wh, buyer):
    product = ProductFactory(sku="CUP-01")
    sp = SupplierProductFactory(product=product)
    s = SuggestionFactory(product=product, warehouse=wh["GZ"], supplier=sp.supplier, supplier_product=sp)
    with pytest.raises(ValidationError) as exc:
        services.suggestions_accept(ids=[s.pk], user=buyer)
    assert exc.value.message_dict["suggestions"][0].startswith("CUP-01: ")
    assert PurchaseOrder.objects.count() == 0


def test_a_transfer_of_more_than_the_source_has_free_is_refused_by_name(wh, buyer):
    product = ProductFactory(sku="PEN-01")
    receive(product, wh["SH"], 5)
    s = SuggestionFactory(
        kind=Suggestion.Kind.TRANSFER, product=product, warehouse=wh["GZ"], source_warehouse=wh["SH"]
    )  # 48 suggested
    with pytest.raises(ValidationError) as exc:
        services.suggestions_accept(ids=[s.pk], user=buyer)
    assert "PEN-01" in exc.value.message_dict["suggestions"][0]
    assert not Transfer.objects.exists()


def test_an_override_of_a_template_product_is_refused(wh, buyer):
    with pytest.raises(ValidationError) as exc:
        services.plan_override_set(
            product=ProductFactory(is_template=True),
            warehouse=wh["GZ"],
            reorder_point="1",
            order_up_to="2",
            user=buyer,
        )
    assert "product" in exc.value.message_dict
