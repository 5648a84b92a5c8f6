"""Shortage reaches purchasing: a shortage or a drop below the reorder point tells purchasing
once, with a link to a purchase order for the preferred supplier prefilled with the suggested
quantity (packs and minimum order)."""

from decimal import Decimal
from types import SimpleNamespace
from urllib.parse import parse_qs, urlparse

import pytest

from core.events import names
from core.events.models import Notification
from core.events.services import publish
from integration.rules import handlers
from tests.factories import UserFactory
from tests.scm.inventory.factories import ProductFactory
from tests.scm.purchasing.factories import SupplierFactory, SupplierProductFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup():
    buyer = UserFactory(roles=["purchasing"])
    other = UserFactory(roles=["purchasing"])
    product = ProductFactory(name="不锈钢水槽")
    supplier = SupplierFactory(buyer=buyer)
    SupplierProductFactory(
        product=product, supplier=supplier, pack_size=Decimal("10"), min_order_quantity=Decimal("20")
    )
    return SimpleNamespace(buyer=buyer, other=other, product=product, supplier=supplier)


def test_a_shortage_tells_the_buyer_with_a_prefilled_order(setup, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        publish(
            names.STOCK_SHORTAGE,
            {"product_id": setup.product.pk, "quantity": "23", "order_id": 1, "line_id": 1},
        )
    note = Notification.objects.get(user=setup.buyer, kind="replenish")
    url = urlparse(note.url)
    assert url.path == "/purchasing/orders/new/"
    assert parse_qs(url.query) == {
        "supplier": [str(setup.supplier.pk)],
        "product": [str(setup.product.pk)],
        "quantity": ["30"],
    }
    assert not Notification.objects.filter(user=setup.other).exists()


def test_an_event_handled_twice_notifies_once(setup):
    event = SimpleNamespace(pk=1, payload={"product_id": setup.product.pk, "quantity": "5"})
    handlers.purchasing_on_shortage(event)
    handlers.purchasing_on_shortage(event)
    assert Notification.objects.filter(kind="replenish").count() == 1


def test_below_reorder_point_suggests_the_reorder_quantity(setup):
    event = SimpleNamespace(
        pk=2,
        payload={
            "product_id": setup.product.pk,
            "available": "3",
            "reorder_point": "10",
            "reorder_quantity": "41",
        },
    )
    handlers.purchasing_on_low_stock(event)
    note = Notification.objects.get(user=setup.buyer, kind="replenish")
    assert parse_qs(urlparse(note.url).query)["quantity"] == ["50"]


def test_without_a_buyer_every_purchasing_user_is_told(setup):
    setup.supplier.buyer = None
    setup.supplier.save()
    handlers.purchasing_on_shortage(
        SimpleNamespace(pk=3, payload={"product_id": setup.product.pk, "quantity": "1"})
    )
    assert set(Notification.objects.filter(kind="replenish").values_list("user_id", flat=True)) == {
        setup.buyer.pk,
        setup.other.pk,
    }
