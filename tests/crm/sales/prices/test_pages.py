"""The price pages and API reads: lists in a fixed number of queries, the order and quote pages
showing where each price came from, the order form's live prices, the resolve endpoint, customer
groups."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core.models import AuditLog
from crm.customers.models import Customer
from crm.sales.orders import quote_services
from crm.sales.orders import services as order_services
from tests.crm.sales.factories import CustomerFactory
from tests.crm.sales.prices.factories import CustomerGroupFactory, buy_get, days, order_discount, price_list
from tests.scm.inventory.factories import ProductFactory

pytestmark = pytest.mark.django_db


def _lists(n, owner):
    product = ProductFactory()
    for i in range(n):
        price_list(
            customer=CustomerFactory(owner=owner),
            lines=[(product, "10"), (ProductFactory(), "5")],
            name=f"L{i}",
        )


def _promotions(n):
    product = ProductFactory()
    for i in range(n):
        if i % 2:
            order_discount(name=f"P{i}", group=CustomerGroupFactory(), stock_product=product)
        else:
            buy_get(buy=ProductFactory(), buy_quantity=5, get=ProductFactory(), get_quantity=1, name=f"P{i}")


@pytest.mark.parametrize(
    ("url", "make"),
    [
        ("sales:prices:price_list_list", "lists"),
        ("sales:prices:promotion_list", "promotions"),
    ],
)
def test_list_pages_take_a_fixed_number_of_queries(
    client, sales_user, django_assert_max_num_queries, url, make
):
    client.force_login(sales_user)
    build = (lambda n: _lists(n, sales_user)) if make == "lists" else _promotions
    build(2)
    with CaptureQueriesContext(connection) as few:
        assert client.get(reverse(url)).status_code == 200
    build(12)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(reverse(url))
    assert len(response.context["page_obj"].object_list) == 14


@pytest.mark.parametrize("path", ["/api/v1/price-lists/", "/api/v1/promotions/"])
def test_api_lists_take_a_fixed_number_of_queries(
    api_client, manager_user, django_assert_max_num_queries, path
):
    api_client.force_authenticate(manager_user)
    build = (lambda n: _lists(n, manager_user)) if "price" in path else _promotions
    build(2)
    with CaptureQueriesContext(connection) as few:
        assert api_client.get(path).status_code == 200
    build(12)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert api_client.get(path).json()["count"] == 14


def test_the_price_list_page_shows_its_breaks(client, sales_user):
    customer = CustomerFactory(owner=sales_user)
    product = ProductFactory(sku="INK-01")
    saved = price_list(customer=customer, lines=[(product, "10"), (product, "9", 50)])
    client.force_login(sales_user)
    body = client.get(reverse("sales:prices:price_list_detail", args=[saved.pk])).content.decode()
    assert "INK-01" in body and "9.00" in body and customer.name in body


def test_a_rep_does_not_see_another_teams_customer_price_list(client, sales_user):
    other = price_list(customer=CustomerFactory(), lines=[(ProductFactory(), "10")])
    client.force_login(sales_user)
    assert client.get(reverse("sales:prices:price_list_detail", args=[other.pk])).status_code == 404


def test_the_promotion_page_states_its_offer_and_conditions(client, sales_user):
    featured = ProductFactory(sku="FEAT")
    promotion = order_discount(stock_product=featured, group=CustomerGroupFactory(name="重点客户"))
    client.force_login(sales_user)
    body = client.get(reverse("sales:prices:promotion_detail", args=[promotion.pk])).content.decode()
    assert "10% off the order" in body and "重点客户" in body and "FEAT" in body


def test_the_menu_offers_prices_to_sales_and_the_bulk_change_to_purchasing(
    client, sales_user, purchasing_user
):
    client.force_login(sales_user)
    body = client.get(reverse("sales:prices:promotion_list")).content.decode()
    assert reverse("sales:prices:price_list_list") in body and reverse("sales:prices:bulk") not in body
    client.force_login(purchasing_user)
    body = client.get(reverse("sales:prices:bulk")).content.decode()
    assert reverse("sales:prices:bulk") in body and reverse("sales:prices:price_list_list") not in body


def test_the_order_page_shows_where_each_price_came_from_and_the_promotion(client, sales_user):
    customer = CustomerFactory(owner=sales_user, credit_limit=0)
    product, typed = ProductFactory(list_price=Decimal("2000")), ProductFactory()
    own = price_list(customer=customer, lines=[(product, "1500")])
    promotion = order_discount(threshold="5000")
    order = order_services.order_create(
        customer=customer,
        owner=sales_user,
        lines=[{"product": product, "quantity": 4}, {"product": typed, "quantity": 1, "unit_price": "80"}],
    )
    client.force_login(sales_user)
    body = client.get(reverse("sales:orders:order_detail", args=[order.pk])).content.decode()
    assert f"Customer price list #{own.pk}" in body
    assert 'data-price-source="manual"' in body
    assert 'data-testid="order-promotion"' in body and f"#{promotion.pk}" in body and "608.00" in body


def test_the_quote_page_shows_the_promotion_given(client, sales_user):
    customer = CustomerFactory(owner=sales_user)
    gift = ProductFactory(sku="GIFT")
    promotion = buy_get(buy=gift, buy_quantity=1, get=gift, get_quantity=1, name="买一送一")
    quote = quote_services.quote_create(
        customer=customer, owner=sales_user, lines=[{"product": gift, "quantity": 2}]
    )
    client.force_login(sales_user)
    body = client.get(reverse("sales:orders:quote_detail", args=[quote.pk])).content.decode()
    assert f"#{promotion.pk} 买一送一" in body and 'data-price-source="list"' in body


def test_the_order_form_shows_each_lines_resolved_price_and_the_promotion(client, sales_user):
    group = CustomerGroupFactory()
    customer = CustomerFactory(owner=sales_user, group=group, credit_limit=0)
    a, b = ProductFactory(list_price=Decimal("6000")), ProductFactory(list_price=Decimal("100"))
    group_list = price_list(group=group, lines=[(a, "5500")])
    order_discount(threshold="10000")
    client.force_login(sales_user)
    data = {
        "customer": customer.pk,
        "lines-TOTAL_FORMS": "3",
        "lines-INITIAL_FORMS": "0",
        "lines-0-product": a.pk,
        "lines-0-quantity": "2",
        "lines-1-product": b.pk,
        "lines-1-quantity": "1",
        "lines-1-unit_price": "90",
        "lines-2-product": b.pk,
        "lines-2-quantity": "abc",  # does not price: skipped
    }
    body = client.post(reverse("sales:orders:totals"), data).content.decode()
    assert f"Group price list #{group_list.pk}" in body and 'id="price-lines-0"' in body
    assert "Manual" in body
    assert 'data-total="promotion"' in body and "1,109.00" in body  # 10% of 11,090.00
    assert "9,981.00" in body


def test_a_draft_orders_form_shows_the_prices_of_its_order_date(client, sales_user):
    customer = CustomerFactory(owner=sales_user, credit_limit=0)
    product = ProductFactory(list_price=Decimal("100"))
    own = price_list(customer=customer, lines=[(product, "80")], valid_from=days(-60), valid_until=days(-30))
    order = order_services.order_create(
        customer=customer, owner=sales_user, lines=[{"product": product, "quantity": 1}], order_date=days(-40)
    )
    client.force_login(sales_user)

    form = client.get(reverse("sales:orders:order_edit", args=[order.pk])).content.decode()
    data = {"customer": customer.pk, "price_date": days(-40).isoformat(), "lines-TOTAL_FORMS": "1"}
    data.update({"lines-INITIAL_FORMS": "0", "lines-0-product": product.pk, "lines-0-quantity": "1"})
    body = client.post(reverse("sales:orders:totals"), data).content.decode()

    assert f'name="price_date" value="{days(-40).isoformat()}"' in form
    assert f"Customer price list #{own.pk}" in body and "80.00" in body


def test_the_order_form_prices_for_no_customer_it_may_not_read(client, sales_user):
    other = CustomerFactory()
    product = ProductFactory(list_price=Decimal("100"))
    price_list(customer=other, lines=[(product, "1")])
    client.force_login(sales_user)
    data = {"customer": other.pk, "lines-TOTAL_FORMS": "1", "lines-INITIAL_FORMS": "0"}
    data.update({"lines-0-product": product.pk, "lines-0-quantity": "1"})
    body = client.post(reverse("sales:orders:totals"), data).content.decode()
    assert "List price" in body and "100.00" in body


def test_the_order_form_prices_many_lines_in_a_fixed_number_of_queries(
    client, sales_user, django_assert_max_num_queries
):
    customer = CustomerFactory(owner=sales_user)
    products = [ProductFactory() for _ in range(12)]
    price_list(customer=customer, lines=[(p, "50") for p in products])
    client.force_login(sales_user)

    def post(n):
        data = {"customer": customer.pk, "lines-TOTAL_FORMS": str(n), "lines-INITIAL_FORMS": "0"}
        for i, product in enumerate(products[:n]):
            data.update({f"lines-{i}-product": product.pk, f"lines-{i}-quantity": "1"})
        return client.post(reverse("sales:orders:totals"), data)

    with CaptureQueriesContext(connection) as few:
        post(2)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert post(12).content.decode().count("Customer price list #") == 12


def test_editing_a_draft_leaves_resolved_prices_empty_and_keeps_typed_ones(client, sales_user):
    customer = CustomerFactory(owner=sales_user)
    product = ProductFactory()
    price_list(customer=customer, lines=[(product, "70")])
    order = order_services.order_create(
        customer=customer,
        owner=sales_user,
        lines=[{"product": product, "quantity": 1}, {"product": product, "quantity": 1, "unit_price": "66"}],
    )
    client.force_login(sales_user)
    formset = client.get(reverse("sales:orders:order_edit", args=[order.pk])).context["formset"]
    assert [form.initial["unit_price"] for form in formset.initial_forms] == ["", Decimal("66.00")]


# --- resolve endpoint -------------------------------------------------------------------------


def test_the_resolve_endpoint_answers_the_price_and_its_source(api_client, sales_user):
    customer = CustomerFactory(owner=sales_user)
    product = ProductFactory(list_price=Decimal("12.00"))
    own = price_list(customer=customer, lines=[(product, "11"), (product, "10", 100)])
    api_client.force_authenticate(sales_user)
    params = {"customer": customer.pk, "product": product.pk, "quantity": "120", "date": days(0).isoformat()}
    body = api_client.get("/api/v1/prices/resolve/", params).json()
    assert (body["unit_price"], body["source"], body["price_list"], body["list_price"]) == (
        "10.00",
        "customer_list",
        own.pk,
        "12.00",
    )
    assert body["source_label"] == f"Customer price list #{own.pk}"
    body = api_client.get("/api/v1/prices/resolve/", {"product": product.pk}).json()
    assert (body["unit_price"], body["source"]) == ("12.00", "list")


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"product": "²"}, "product"),
        ({"product": "PRODUCT", "quantity": "NaN"}, "quantity"),
        ({"product": "PRODUCT", "quantity": "-1"}, "quantity"),
        ({"product": "PRODUCT", "date": "2026-02-31"}, "date"),
        ({"product": "PRODUCT", "customer": "OTHER"}, "customer"),
        ({"product": "PRODUCT", "unit": "987654"}, "unit"),
    ],
)
def test_the_resolve_endpoint_refuses_bad_input_naming_the_field(api_client, sales_user, params, field):
    product, other = ProductFactory(), CustomerFactory()
    params = {k: {"PRODUCT": product.pk, "OTHER": other.pk}.get(v, v) for k, v in params.items()}
    api_client.force_authenticate(sales_user)
    response = api_client.get("/api/v1/prices/resolve/", params)
    assert response.status_code == 400 and list(response.json()) == [field]


# --- customer groups --------------------------------------------------------------------------


def test_a_manager_puts_a_customer_in_a_group_and_the_change_is_audited(api_client, manager_user):
    group = CustomerGroupFactory(code="KEY")
    customer = CustomerFactory()
    api_client.force_authenticate(manager_user)
    response = api_client.patch(f"/api/v1/customers/{customer.pk}/", {"group": group.pk}, format="json")
    assert response.status_code == 200 and response.json()["group"] == group.pk
    assert Customer.objects.get(pk=customer.pk).group == group
    assert AuditLog.objects.filter(action="customer.group_changed", object_id=str(customer.pk)).exists()


def test_a_rep_may_not_change_a_customers_group(api_client, client, sales_user):
    group = CustomerGroupFactory(code="KEY")
    customer = CustomerFactory(owner=sales_user)
    api_client.force_authenticate(sales_user)
    assert (
        api_client.patch(f"/api/v1/customers/{customer.pk}/", {"group": group.pk}, format="json").status_code
        == 403
    )
    client.force_login(sales_user)
    assert "group" not in client.get(reverse("customers:edit", args=[customer.pk])).context["form"].fields


def test_the_customer_form_sets_the_group_for_a_manager(client, manager_user):
    group = CustomerGroupFactory(code="KEY", name="重点客户")
    customer = CustomerFactory()
    client.force_login(manager_user)
    form = client.get(reverse("customers:edit", args=[customer.pk])).context["form"]
    data = {name: form.initial.get(name) or "" for name in form.fields}
    data.update({"group": group.pk, "credit_limit": "1000", "payment_terms_days": "30"})
    response = client.post(reverse("customers:edit", args=[customer.pk]), data)
    assert response.status_code == 302, response.context["form"].errors if response.context else ""
    assert Customer.objects.get(pk=customer.pk).group == group
    assert "重点客户" in client.get(reverse("customers:detail", args=[customer.pk])).content.decode()


def test_managers_keep_customer_groups_through_the_api(api_client, manager_user, sales_user):
    api_client.force_authenticate(manager_user)
    response = api_client.post("/api/v1/customer-groups/", {"code": "VIP", "name": "重点客户"}, format="json")
    assert response.status_code == 201
    assert (
        api_client.post(
            "/api/v1/customer-groups/", {"code": "VIP", "name": "又一个"}, format="json"
        ).status_code
        == 400
    )
    api_client.force_authenticate(sales_user)
    assert api_client.get("/api/v1/customer-groups/").json()["count"] == 1
    assert (
        api_client.post("/api/v1/customer-groups/", {"code": "X", "name": "X"}, format="json").status_code
        == 403
    )


def test_the_customer_page_shows_its_price_lists_and_its_groups(client, sales_user):
    group = CustomerGroupFactory(name="重点客户")
    customer = CustomerFactory(owner=sales_user, group=group)
    own = price_list(customer=customer, lines=[(ProductFactory(), "10")], name="框架协议价")
    group_list = price_list(group=group, lines=[(ProductFactory(), "10")], name="年度协议价")
    price_list(
        customer=customer,
        lines=[(ProductFactory(), "10")],
        name="旧价",
        valid_from=days(-90),
        valid_until=days(-1),
    )
    client.force_login(sales_user)
    body = client.get(reverse("customers:detail", args=[customer.pk])).content.decode()
    assert 'data-testid="panel-prices"' in body
    assert f"#{own.pk} 框架协议价" in body and f"#{group_list.pk} 年度协议价" in body and "旧价" not in body
