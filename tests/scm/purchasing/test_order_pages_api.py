"""Purchase order pages and API per role, with a fixed number of queries per list."""

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation

from scm.purchasing import orders
from scm.purchasing.models import PurchaseOrder, PurchasingSettings
from tests.scm.purchasing.factories import open_purchase_order
from tests.scm.purchasing.orders_helpers import draft_order, supplier_with_product

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _in_english(settings):
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


def test_the_list_shows_orders_and_filters_by_state(client, purchasing_user):
    draft, _ = draft_order(purchasing_user)
    sent = open_purchase_order(owner=purchasing_user)
    client.force_login(purchasing_user)
    page = client.get(reverse("purchasing:order_list"), {"state": "sent"})
    assert page.status_code == 200
    assert sent.number.encode() in page.content and draft.number.encode() not in page.content


def test_the_list_searches_by_supplier_name_in_pinyin(client, purchasing_user):
    order, _ = draft_order(purchasing_user)  # 上海申华贸易有限公司
    client.force_login(purchasing_user)
    page = client.get(reverse("purchasing:order_list"), {"q": "shanghai"})
    assert order.number.encode() in page.content


def test_the_list_costs_the_same_queries_for_one_or_many(
    client, purchasing_user, django_assert_max_num_queries
):
    client.force_login(purchasing_user)
    open_purchase_order(owner=purchasing_user)
    client.get(reverse("purchasing:order_list"))
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as one:
        client.get(reverse("purchasing:order_list"))
    for _ in range(6):
        open_purchase_order(owner=purchasing_user)
    with django_assert_max_num_queries(len(one.captured_queries)):
        client.get(reverse("purchasing:order_list"))


def test_the_list_exports_csv(client, purchasing_user):
    order = open_purchase_order(owner=purchasing_user)
    client.force_login(purchasing_user)
    response = client.get(reverse("purchasing:order_list"), {"export": "csv"})
    assert response.status_code == 200 and order.number in response.content.decode("utf-8-sig")


def test_overdue_filter_shows_orders_with_late_lines(client, purchasing_user):
    from datetime import timedelta

    from django.utils import timezone

    late = open_purchase_order(
        owner=purchasing_user, lines=[{"expected_date": timezone.localdate() - timedelta(days=2)}]
    )
    on_time = open_purchase_order(owner=purchasing_user)
    client.force_login(purchasing_user)
    page = client.get(reverse("purchasing:order_list"), {"overdue": "1"})
    assert late.number.encode() in page.content and on_time.number.encode() not in page.content


def test_the_detail_offers_the_actions_of_the_state(client, purchasing_user, manager_user):
    PurchasingSettings.objects.update_or_create(pk=1, defaults={"approval_threshold": Decimal("100")})
    order, _ = draft_order(purchasing_user, quantity="10", price="50")
    orders.purchase_order_submit(order=order, user=purchasing_user)
    client.force_login(purchasing_user)
    page = client.get(reverse("purchasing:order_detail", args=[order.pk]))
    assert b'data-action="approve"' not in page.content
    client.force_login(manager_user)
    page = client.get(reverse("purchasing:order_detail", args=[order.pk]))
    assert b'data-action="approve"' in page.content


def test_a_manager_approves_from_the_page(client, purchasing_user, manager_user):
    PurchasingSettings.objects.update_or_create(pk=1, defaults={"approval_threshold": Decimal("100")})
    order, _ = draft_order(purchasing_user, quantity="10", price="50")
    orders.purchase_order_submit(order=order, user=purchasing_user)
    client.force_login(manager_user)
    client.post(reverse("purchasing:order_approve", args=[order.pk]))
    order.refresh_from_db()
    assert order.state == PurchaseOrder.State.APPROVED


def test_the_form_is_prefilled_from_the_query(client, purchasing_user):
    supplier, product = supplier_with_product(price="12.5", lead_time_days=4)
    client.force_login(purchasing_user)
    page = client.get(
        reverse("purchasing:order_create"), {"supplier": supplier.pk, "product": product.pk, "quantity": "30"}
    )
    content = page.content.decode()
    assert f'<option value="{supplier.pk}" selected data-data=' in content
    assert 'value="30"' in content and 'value="12.5000"' in content


def test_the_form_creates_an_order_and_shows_field_errors(client, purchasing_user):
    supplier, product = supplier_with_product()
    client.force_login(purchasing_user)
    bad = client.post(
        reverse("purchasing:order_create"), {"supplier": supplier.pk, "product": product.pk, "quantity": "-2"}
    )
    assert bad.status_code == 200 and b'data-field-error="quantity"' in bad.content
    assert not PurchaseOrder.objects.exists()
    good = client.post(
        reverse("purchasing:order_create"), {"supplier": supplier.pk, "product": product.pk, "quantity": "2"}
    )
    assert good.status_code == 302
    assert PurchaseOrder.objects.get().lines.count() == 1


def test_the_line_fill_partial_gives_price_unit_and_date(client, purchasing_user):
    supplier, product = supplier_with_product(price="9", lead_time_days=3)
    client.force_login(purchasing_user)
    response = client.get(reverse("purchasing:line_fill"), {"supplier": supplier.pk, "product": product.pk})
    assert b'value="9.0000"' in response.content and b"line-expected" in response.content


def test_the_order_form_chooses_supplier_and_product_with_pickers(client, purchasing_user):
    supplier, product = supplier_with_product()
    client.force_login(purchasing_user)
    page = client.get(reverse("purchasing:order_create"), {"supplier": supplier.pk}).content.decode()
    assert f'data-picker="{reverse("supplier-picker")}"' in page
    assert f'data-picker="{reverse("inventory-product-picker")}"' in page
    found = client.get(reverse("supplier-picker"), {"q": "shsh"}).json()["results"]
    assert [row["id"] for row in found] == [supplier.pk]


def test_sales_may_not_read_purchase_orders(client, sales_user):
    client.force_login(sales_user)
    assert client.get(reverse("purchasing:order_list")).status_code == 403


def test_another_buyer_gets_403_on_change(client, purchasing_user, user_with_role):
    order, _ = draft_order(purchasing_user)
    client.force_login(user_with_role("purchasing"))
    assert client.post(reverse("purchasing:order_submit", args=[order.pk])).status_code == 403


def test_the_today_page_lists_what_waits(client, purchasing_user, manager_user):
    PurchasingSettings.objects.update_or_create(pk=1, defaults={"approval_threshold": Decimal("100")})
    order, _ = draft_order(purchasing_user, quantity="10", price="50")
    orders.purchase_order_submit(order=order, user=purchasing_user)
    client.force_login(manager_user)
    page = client.get(reverse("purchasing:today"))
    assert order.number.encode() in page.content


# --- API ---


def test_api_creates_submits_and_sends(api_client, purchasing_user):
    supplier, product = supplier_with_product(price="3")
    api_client.force_authenticate(purchasing_user)
    created = api_client.post(
        "/api/v1/purchase-orders/",
        {"supplier": supplier.pk, "lines": [{"product": product.pk, "quantity": "4"}]},
        format="json",
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["lines"][0]["unit_price"] == "3.0000" and body["total"] == "13.56"
    pk = body["id"]
    assert api_client.post(f"/api/v1/purchase-orders/{pk}/submit/").json()["state"] == "approved"
    assert api_client.post(f"/api/v1/purchase-orders/{pk}/send/").json()["state"] == "sent"
    pdf = api_client.get(f"/api/v1/purchase-orders/{pk}/pdf/")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"


def test_api_bad_quantity_names_the_field(api_client, purchasing_user):
    supplier, product = supplier_with_product()
    api_client.force_authenticate(purchasing_user)
    response = api_client.post(
        "/api/v1/purchase-orders/",
        {"supplier": supplier.pk, "lines": [{"product": product.pk, "quantity": "NaN"}]},
        format="json",
    )
    assert response.status_code == 400 and "lines[0].quantity" in response.json()


def test_api_only_managers_approve(api_client, purchasing_user, manager_user):
    PurchasingSettings.objects.update_or_create(pk=1, defaults={"approval_threshold": Decimal("100")})
    order, _ = draft_order(purchasing_user, quantity="10", price="50")
    orders.purchase_order_submit(order=order, user=purchasing_user)
    api_client.force_authenticate(purchasing_user)
    assert api_client.post(f"/api/v1/purchase-orders/{order.pk}/approve/").status_code == 403
    api_client.force_authenticate(manager_user)
    assert api_client.post(f"/api/v1/purchase-orders/{order.pk}/approve/").json()["state"] == "approved"


def test_api_list_costs_the_same_queries_for_one_or_many(
    api_client, purchasing_user, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    api_client.force_authenticate(purchasing_user)
    open_purchase_order(owner=purchasing_user, lines=[{}, {}])
    api_client.get("/api/v1/purchase-orders/")
    with CaptureQueriesContext(connection) as one:
        api_client.get("/api/v1/purchase-orders/")
    for _ in range(5):
        open_purchase_order(owner=purchasing_user, lines=[{}, {}])
    with django_assert_max_num_queries(len(one.captured_queries)):
        assert len(api_client.get("/api/v1/purchase-orders/").json()["results"]) == 6


def test_the_managers_home_shows_orders_waiting_for_approval(client, purchasing_user, manager_user):
    PurchasingSettings.objects.update_or_create(pk=1, defaults={"approval_threshold": Decimal("100")})
    order, _ = draft_order(purchasing_user, quantity="10", price="50")
    orders.purchase_order_submit(order=order, user=purchasing_user)
    client.force_login(manager_user)
    page = client.get(reverse("home"))
    assert order.number.encode() in page.content


def test_submitting_the_form_twice_creates_one_order(client, purchasing_user):
    supplier, product = supplier_with_product()
    client.force_login(purchasing_user)
    page = client.get(reverse("purchasing:order_create"))
    import re

    token = re.search(rb'name="form_token" value="([^"]+)"', page.content)
    assert token, "the form carries a one-time token"
    data = {
        "supplier": supplier.pk,
        "product": product.pk,
        "quantity": "2",
        "form_token": token.group(1).decode(),
    }
    first = client.post(reverse("purchasing:order_create"), data)
    second = client.post(reverse("purchasing:order_create"), data)
    assert first.status_code == second.status_code == 302 and first["Location"] == second["Location"]
    assert PurchaseOrder.objects.count() == 1


def test_the_detail_costs_the_same_queries_for_few_or_many_lines(
    client, purchasing_user, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    small = open_purchase_order(owner=purchasing_user, lines=[{}])
    big = open_purchase_order(owner=purchasing_user, lines=[{} for _ in range(8)])
    client.force_login(purchasing_user)
    client.get(reverse("purchasing:order_detail", args=[small.pk]))
    with CaptureQueriesContext(connection) as one:
        client.get(reverse("purchasing:order_detail", args=[small.pk]))
    with django_assert_max_num_queries(len(one.captured_queries)):
        client.get(reverse("purchasing:order_detail", args=[big.pk]))


def test_a_line_received_in_full_is_not_overdue(client, purchasing_user):
    from datetime import timedelta

    from django.utils import timezone

    done = open_purchase_order(
        owner=purchasing_user,
        lines=[
            {
                "expected_date": timezone.localdate() - timedelta(days=2),
                "received_quantity": 10,
                "accepted_quantity": 10,
            }
        ],
    )
    client.force_login(purchasing_user)
    page = client.get(reverse("purchasing:order_list"), {"overdue": "1"})
    assert done.number.encode() not in page.content


def test_api_update_replaces_the_lines(api_client, purchasing_user):
    order, product = draft_order(purchasing_user, quantity="1", price="2")
    api_client.force_authenticate(purchasing_user)
    response = api_client.patch(
        f"/api/v1/purchase-orders/{order.pk}/",
        {"notes": "加急", "lines": [{"product": product.pk, "quantity": "5"}]},
        format="json",
    )
    assert response.status_code == 200, response.content
    assert response.json()["notes"] == "加急" and [line["quantity"] for line in response.json()["lines"]] == [
        "5.000"
    ]
