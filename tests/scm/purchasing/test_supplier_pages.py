"""Supplier pages per role, the list's search, filters and fixed query count, the supplier page's
parts, and the forms calling the services."""

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from scm.purchasing import panels
from scm.purchasing.models import PurchaseOrder, Receipt, ReceiptLine, Supplier, SupplierProduct
from tests.factories import UserFactory
from tests.scm.inventory.factories import ProductFactory
from tests.scm.purchasing.factories import (
    SupplierContactFactory,
    SupplierFactory,
    SupplierPriceFactory,
    SupplierProductFactory,
    open_purchase_order,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _in_english(settings):
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("purchasing", 200),
        ("manager", 200),
        ("finance", 200),
        ("warehouse", 200),
        ("sales", 403),
        ("service", 403),
    ],
)
def test_who_reads_the_supplier_list_and_page(client, role, status):
    supplier = SupplierFactory()
    client.force_login(UserFactory(roles=[role]))
    assert client.get(reverse("purchasing:supplier_list")).status_code == status
    assert client.get(reverse("purchasing:supplier_detail", args=[supplier.pk])).status_code == status


@pytest.mark.parametrize(
    ("role", "status"), [("purchasing", 200), ("manager", 200), ("finance", 403), ("warehouse", 403)]
)
def test_who_may_open_the_supplier_forms(client, role, status):
    supplier = SupplierFactory()
    client.force_login(UserFactory(roles=[role]))
    assert client.get(reverse("purchasing:supplier_create")).status_code == status
    assert client.get(reverse("purchasing:supplier_edit", args=[supplier.pk])).status_code == status


def test_the_list_searches_by_pinyin_initials(client, purchasing_user):
    SupplierFactory(name="华为技术")
    SupplierFactory(name="中兴通讯")
    client.force_login(purchasing_user)
    page = client.get(reverse("purchasing:supplier_list"), {"q": "hw"})
    assert [s.name for s in page.context["page_obj"]] == ["华为技术"]


def test_the_list_filters_by_active_and_buyer(client, purchasing_user):
    mine = SupplierFactory(buyer=purchasing_user)
    SupplierFactory()
    SupplierFactory(is_active=False, buyer=purchasing_user)
    client.force_login(purchasing_user)
    page = client.get(reverse("purchasing:supplier_list"), {"active": "1", "buyer": str(purchasing_user.pk)})
    assert [s.pk for s in page.context["page_obj"]] == [mine.pk]


def test_the_list_sorts_by_an_allowed_column_only(client, purchasing_user):
    SupplierFactory(code="B", name="a")
    SupplierFactory(code="A", name="b")
    client.force_login(purchasing_user)
    by_code = client.get(reverse("purchasing:supplier_list"), {"ordering": "code"})
    assert [s.code for s in by_code.context["page_obj"]] == ["A", "B"]
    bogus = client.get(reverse("purchasing:supplier_list"), {"ordering": "bank_account"})
    assert [s.name for s in bogus.context["page_obj"]] == ["a", "b"]


def _list_queries(client) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(reverse("purchasing:supplier_list")).status_code == 200
    return len(ctx)


def test_the_list_takes_the_same_queries_for_one_or_many_suppliers(client, purchasing_user):
    client.force_login(purchasing_user)
    SupplierFactory(buyer=purchasing_user)
    _list_queries(client)  # the session's first request reads what later ones have cached
    one = _list_queries(client)
    for _ in range(30):  # more than a page
        SupplierFactory(buyer=UserFactory(roles=["purchasing"]))
    assert _list_queries(client) == one


def _supplier_with_history():
    supplier = SupplierFactory(name="华为技术")
    SupplierContactFactory(supplier=supplier, name="Li Lei")
    product = ProductFactory(sku="SKU-1")
    item = SupplierProductFactory(supplier=supplier, product=product, is_preferred=True)
    SupplierPriceFactory(supplier_product=item, unit_price=Decimal("12.5"))
    order = open_purchase_order(
        supplier=supplier, lines=[{"product": product, "expected_date": date(2026, 3, 10)}]
    )
    closed = open_purchase_order(supplier=supplier, state=PurchaseOrder.State.CLOSED)
    receipt = Receipt.objects.create(
        number="R-1",
        purchase_order=order,
        supplier=supplier,
        warehouse=order.warehouse,
        state=Receipt.State.POSTED,
        received_by=UserFactory(),
        posted_at=timezone.now(),
    )
    ReceiptLine.objects.create(
        receipt=receipt,
        po_line=order.lines.get(),
        product=product,
        quantity=4,
        accepted_quantity=3,
        rejected_quantity=1,
    )
    return supplier, order, closed


def test_the_supplier_page_shows_contacts_products_orders_receipts_and_scorecard(client, finance_user):
    supplier, order, closed = _supplier_with_history()
    client.force_login(finance_user)
    page = client.get(reverse("purchasing:supplier_detail", args=[supplier.pk]))
    html = page.content.decode()
    assert "Li Lei" in html and "SKU-1" in html and 'data-testid="preferred"' in html
    assert [o.pk for o in page.context["open_orders"]] == [order.pk]
    assert [r.number for r in page.context["receipts"]] == ["R-1"]
    assert page.context["scorecard"]["quality_rate"] == Decimal("0.7500")
    assert "75.0%" in html
    assert (
        not page.context["can_edit"] and reverse("purchasing:supplier_edit", args=[supplier.pk]) not in html
    )


def test_a_registered_panel_shows_on_the_supplier_page_to_its_roles(
    client, finance_user, purchasing_user, monkeypatch
):
    monkeypatch.setattr(panels._registry, "_panels", {})
    panels.register(
        "test.payables",
        "Payables",
        "purchasing/supplier_form.html",
        lambda s, u: {"x": 1},
        roles=("finance",),
    )
    supplier = SupplierFactory()
    client.force_login(finance_user)
    assert [
        p["key"]
        for p in client.get(reverse("purchasing:supplier_detail", args=[supplier.pk])).context["panels"]
    ] == ["test.payables"]
    client.force_login(purchasing_user)
    assert client.get(reverse("purchasing:supplier_detail", args=[supplier.pk])).context["panels"] == []


def test_the_timeline_shows_the_suppliers_audited_changes(client, purchasing_user):
    client.force_login(purchasing_user)
    response = client.post(
        reverse("purchasing:supplier_create"),
        {"name": "Acme", "payment_terms_days": "30", "currency": "CNY", "form_token": ""},
    )
    supplier = Supplier.objects.get()
    page = client.get(reverse("purchasing:supplier_detail", args=[supplier.pk]))
    assert response.status_code == 302
    assert [e["title"] for e in page.context["timeline"]] == ["Supplier created"]


def test_the_form_shows_a_service_error_on_its_field(client, purchasing_user):
    supplier = SupplierFactory()
    item = SupplierProductFactory(supplier=supplier)
    client.force_login(purchasing_user)
    response = client.post(
        reverse("purchasing:supplier_price_create", args=[supplier.pk, item.pk]),
        {"min_quantity": "0", "unit_price": "0", "valid_from": "", "valid_to": ""},
    )
    assert response.status_code == 200
    assert "unit_price" in response.context["form"].errors


def test_make_preferred_moves_the_mark_from_the_other_supplier(client, purchasing_user):
    product = ProductFactory()
    other = SupplierProductFactory(product=product, is_preferred=True)
    item = SupplierProductFactory(product=product, is_preferred=False)
    client.force_login(purchasing_user)
    client.post(reverse("purchasing:supplier_product_preferred", args=[item.supplier_id, item.pk]))
    assert SupplierProduct.objects.get(product=product, is_preferred=True).pk == item.pk
    other.refresh_from_db()
    assert not other.is_preferred


def test_deactivating_from_the_page(client, manager_user):
    supplier = SupplierFactory()
    client.force_login(manager_user)
    client.post(reverse("purchasing:supplier_active", args=[supplier.pk]), {"active": "0"})
    supplier.refresh_from_db()
    assert not supplier.is_active


def test_the_navigation_offers_suppliers_to_purchasing_managers_and_finance(
    purchasing_user, warehouse_user, sales_user
):
    from core.navigation import items_for

    assert "purchasing.suppliers" in [i["key"] for i in items_for(purchasing_user)]
    assert "purchasing.suppliers" not in [i["key"] for i in items_for(sales_user)]
    assert "purchasing.suppliers" not in [i["key"] for i in items_for(warehouse_user)]


def test_the_supplier_page_takes_the_same_queries_for_one_or_many_products(client, purchasing_user):
    supplier = SupplierFactory()

    def add():
        item = SupplierProductFactory(supplier=supplier, is_preferred=False)
        SupplierPriceFactory(supplier_product=item)
        open_purchase_order(supplier=supplier, lines=[{"product": item.product}])

    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("purchasing:supplier_detail", args=[supplier.pk])).status_code == 200
        return len(ctx)

    client.force_login(purchasing_user)
    add()
    queries()
    one = queries()
    for _ in range(4):
        add()
    assert queries() == one
