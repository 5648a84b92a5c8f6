"""Purchase to order (以销定购): a backordered sales order line is bought from the product's
preferred supplier on a draft purchase order linked to the line, rounded to packs; a second
line extends the same draft; what is already being bought is not bought twice."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from crm.sales.models import SalesOrder
from integration.fulfilment.purchase_to_order import order_line_purchase
from scm.purchasing.models import PurchaseOrder
from tests.factories import UserFactory
from tests.integration.fulfilment.factories import CustomerFactory, make_order
from tests.scm.inventory.factories import ProductFactory, WarehouseFactory
from tests.scm.purchasing.factories import SupplierFactory, SupplierPriceFactory, SupplierProductFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    rep = UserFactory(roles=["sales"])
    buyer = UserFactory(roles=["purchasing"])
    supplier = SupplierFactory(buyer=buyer, default_warehouse=WarehouseFactory())
    products = [ProductFactory(), ProductFactory()]
    for product in products:
        sp = SupplierProductFactory(supplier=supplier, product=product, pack_size=Decimal("10"))
        SupplierPriceFactory(supplier_product=sp, unit_price=Decimal("5"))
    order = make_order(CustomerFactory(owner=rep), rep, (products[0], 13), (products[1], 4))
    SalesOrder.objects.filter(pk=order.pk).update(state=SalesOrder.State.CONFIRMED)
    lines = list(order.lines.order_by("pk"))
    return rep, buyer, supplier, lines


def test_a_backordered_line_is_bought_on_a_draft_with_its_demand(world):
    rep, buyer, supplier, lines = world
    po_line = order_line_purchase(line=lines[0], user=rep)
    assert po_line.order.state == PurchaseOrder.State.DRAFT
    assert po_line.order.supplier == supplier and po_line.order.owner == buyer
    assert po_line.quantity == Decimal("20")  # 13 rounded up to packs of 10
    assert po_line.demand == lines[0].demand == f"sales.orderline:{lines[0].pk}"


def test_a_second_line_extends_the_same_draft(world):
    rep, buyer, supplier, lines = world
    first = order_line_purchase(line=lines[0], user=rep)
    second = order_line_purchase(line=lines[1], user=rep)
    assert first.order.pk == second.order.pk
    assert PurchaseOrder.objects.count() == 1
    assert first.order.lines.count() == 2


def test_what_is_already_being_bought_is_not_bought_again(world):
    rep, buyer, supplier, lines = world
    order_line_purchase(line=lines[0], user=rep)
    with pytest.raises(ValidationError):
        order_line_purchase(line=lines[0], user=rep)


def test_a_draft_sales_order_has_nothing_to_buy(world):
    rep, buyer, supplier, lines = world
    SalesOrder.objects.filter(pk=lines[0].order_id).update(state=SalesOrder.State.DRAFT)
    with pytest.raises(ValidationError):
        order_line_purchase(line=lines[0], user=rep)


def test_another_rep_may_not_buy_for_the_line(world):
    rep, buyer, supplier, lines = world
    with pytest.raises(PermissionDenied):
        order_line_purchase(line=lines[0], user=UserFactory(roles=["sales"]))


def test_purchasing_buys_for_a_line_through_the_api(world, api_client):
    rep, buyer, supplier, lines = world
    api_client.force_authenticate(buyer)
    response = api_client.post(f"/api/v1/sales-order-lines/{lines[0].pk}/purchase/")
    assert response.status_code == 201, response.content
    assert response.json()["line"]["demand"] == lines[0].demand


def test_the_sales_order_page_offers_the_button_and_it_buys(world, client):
    rep, buyer, supplier, lines = world
    client.force_login(rep)
    page = client.get(reverse("sales:orders:order_detail", args=[lines[0].order_id]))
    assert b'data-action="purchase-line"' in page.content
    response = client.post(reverse("fulfilment:order-line-purchase", args=[lines[0].order_id, lines[0].pk]))
    assert response.status_code == 302
    assert PurchaseOrder.objects.get().lines.get().demand == lines[0].demand


def test_another_buyer_buys_on_their_own_order_not_the_suppliers_buyers_draft(world):
    rep, buyer, supplier, lines = world
    theirs = order_line_purchase(line=lines[0], user=rep).order  # the supplier's buyer's draft
    other = UserFactory(roles=["purchasing"])
    mine = order_line_purchase(line=lines[1], user=other).order
    assert mine.owner == other and mine.pk != theirs.pk
    assert theirs.lines.count() == 1
