"""Bad input to price lists and promotions is refused with a message naming the field, and nothing
is written: through the services, the pages' forms and the API."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from crm.sales.orders.prices import services
from crm.sales.orders.prices.models import PriceList, PriceListLine, Promotion
from tests.crm.sales.factories import CustomerFactory
from tests.crm.sales.prices.factories import CustomerGroupFactory, days, price_list
from tests.scm.inventory.factories import ProductFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def customer(sales_user):
    return CustomerFactory(owner=sales_user)


@pytest.fixture
def product():
    return ProductFactory(sku="A4-500", list_price=Decimal("30.00"))


def refused(call, **kwargs) -> dict:
    with pytest.raises(ValidationError) as err:
        call(**kwargs)
    return err.value.message_dict


def save_list(user, **overrides):
    fields = {
        "user": user,
        "name": "年度协议价",
        "valid_from": days(0),
        "valid_until": days(30),
        "lines": [],
    }
    fields.update(overrides)
    return services.price_list_save(**fields)


def save_promotion(user, **overrides):
    fields = {
        "user": user,
        "name": "满 10,000 享 9 折",
        "kind": "order",
        "valid_from": days(0),
        "valid_until": days(30),
        "threshold": "10000",
        "discount_percent": "10",
    }
    fields.update(overrides)
    return services.promotion_save(**fields)


# --- price lists: service ---------------------------------------------------------------------


def test_a_second_list_pricing_the_same_product_for_the_same_customer_on_overlapping_days_is_refused(
    customer, product, manager_user
):
    first = price_list(customer=customer, lines=[(product, "25")], valid_from=days(-10), valid_until=days(20))
    errors = refused(
        save_list,
        user=manager_user,
        customer=customer,
        valid_from=days(10),
        valid_until=None,
        lines=[{"product": ProductFactory(), "price": "1"}, {"product": product, "price": "24"}],
    )
    assert list(errors) == ["lines[1].product"]
    assert f"#{first.pk}" in errors["lines[1].product"][0] and "A4-500" in errors["lines[1].product"][0]
    assert PriceList.objects.count() == 1


def test_an_overlapping_list_of_the_same_group_is_refused(product, manager_user):
    group = CustomerGroupFactory()
    price_list(group=group, lines=[(product, "25")], valid_from=days(-10), valid_until=None)
    errors = refused(save_list, user=manager_user, group=group, lines=[{"product": product, "price": "24"}])
    assert list(errors) == ["lines[0].product"]


@pytest.mark.parametrize(
    ("start", "end"),
    [(31, 60), (-60, -11)],
    ids=["after", "before"],
)
def test_lists_of_the_same_product_on_days_that_do_not_overlap_are_taken(
    customer, product, manager_user, start, end
):
    price_list(customer=customer, lines=[(product, "25")], valid_from=days(-10), valid_until=days(30))
    save_list(
        user=manager_user,
        customer=customer,
        valid_from=days(start),
        valid_until=days(end),
        lines=[{"product": product, "price": "24"}],
    )
    assert PriceList.objects.count() == 2


def test_an_inactive_list_does_not_overlap(customer, product, manager_user):
    price_list(customer=customer, lines=[(product, "25")], is_active=False)
    save_list(
        user=manager_user,
        customer=customer,
        valid_from=days(-10),
        lines=[{"product": product, "price": "24"}],
    )
    assert PriceList.objects.count() == 2


def test_another_customers_list_does_not_overlap(customer, product, manager_user):
    price_list(customer=CustomerFactory(), lines=[(product, "25")])
    save_list(
        user=manager_user,
        customer=customer,
        valid_from=days(-10),
        lines=[{"product": product, "price": "24"}],
    )
    assert PriceList.objects.count() == 2


def test_a_list_ending_before_it_starts_is_refused(customer, product, manager_user):
    errors = refused(
        save_list,
        user=manager_user,
        customer=customer,
        valid_from=days(5),
        valid_until=days(4),
        lines=[{"product": product, "price": "1"}],
    )
    assert errors == {"valid_until": ["The end date cannot be before the start date."]}


@pytest.mark.parametrize(
    ("line", "field"),
    [
        ({"price": "-1"}, "lines[0].price"),
        ({"price": "NaN"}, "lines[0].price"),
        ({"price": "1e30"}, "lines[0].price"),
        ({"price": "1", "min_quantity": "-5"}, "lines[0].min_quantity"),
        ({"price": "1", "product": "²"}, "lines[0].product"),
        ({"price": "1", "unit_name": "托盘"}, "lines[0].unit"),
    ],
)
def test_a_bad_price_line_is_refused_naming_its_field(customer, product, manager_user, line, field):
    errors = refused(save_list, user=manager_user, customer=customer, lines=[{"product": product, **line}])
    assert list(errors) == [field]
    assert not PriceListLine.objects.exists()


def test_the_same_product_unit_and_break_twice_is_refused(customer, product, manager_user):
    errors = refused(
        save_list,
        user=manager_user,
        customer=customer,
        lines=[
            {"product": product, "price": "1", "min_quantity": "10"},
            {"product": product, "price": "2", "min_quantity": "10"},
        ],
    )
    assert list(errors) == ["lines[1].min_quantity"]


def test_a_list_for_no_one_or_for_a_customer_and_a_group_is_refused(customer, product, manager_user):
    lines = [{"product": product, "price": "1"}]
    assert list(refused(save_list, user=manager_user, lines=lines)) == ["customer"]
    errors = refused(
        save_list, user=manager_user, customer=customer, group=CustomerGroupFactory(), lines=lines
    )
    assert list(errors) == ["group"]


def test_a_rep_cannot_name_a_customer_they_may_not_read(product, sales_user):
    errors = refused(
        save_list, user=sales_user, customer=CustomerFactory(), lines=[{"product": product, "price": "1"}]
    )
    assert errors == {"customer": ["No such customer."]}


def test_a_price_list_change_is_audited(customer, product, manager_user):
    from core.models import AuditLog

    saved = save_list(user=manager_user, customer=customer, lines=[{"product": product, "price": "24.5"}])
    entry = AuditLog.objects.get(action="sales.price_list_created", object_id=str(saved.pk))
    assert entry.data["lines"] == [[product.pk, None, "0.000", "24.50"]]


# --- promotions: service ----------------------------------------------------------------------


def test_a_promotion_without_an_end_is_refused(manager_user):
    errors = refused(save_promotion, user=manager_user, valid_until=None)
    assert errors == {"valid_until": ["A promotion needs an end date: enter the last day it is valid."]}
    assert not Promotion.objects.exists()


def test_a_promotion_ending_before_it_starts_is_refused(manager_user):
    errors = refused(save_promotion, user=manager_user, valid_from=days(3), valid_until=days(1))
    assert errors == {"valid_until": ["The end date cannot be before the start date."]}


@pytest.mark.parametrize("percent", ["-5", "0", "100.5", "150"])
def test_a_discount_below_zero_or_over_100_percent_is_refused(manager_user, percent):
    errors = refused(save_promotion, user=manager_user, discount_percent=percent)
    assert errors == {"discount_percent": ["The discount must be more than 0 and at most 100 percent."]}


@pytest.mark.parametrize("percent", ["-10", "101"])
def test_a_buy_x_get_y_discount_below_zero_or_over_100_percent_is_refused(manager_user, percent):
    errors = refused(
        save_promotion,
        user=manager_user,
        kind="buy_get",
        buy_product=ProductFactory(),
        buy_quantity="10",
        get_product=ProductFactory(),
        get_quantity="1",
        get_discount_percent=percent,
    )
    assert list(errors) == ["get_discount_percent"]


def test_a_negative_amount_off_is_refused(manager_user):
    errors = refused(save_promotion, user=manager_user, discount_percent=None, discount_amount="-100")
    assert errors == {"discount_amount": ["The amount off must be more than 0."]}


def test_a_percent_and_an_amount_together_are_refused(manager_user):
    errors = refused(save_promotion, user=manager_user, discount_amount="100")
    assert list(errors) == ["discount_amount"]


def test_a_negative_threshold_is_refused(manager_user):
    assert list(refused(save_promotion, user=manager_user, threshold="-1")) == ["threshold"]


def test_buy_x_get_y_needs_its_products_and_quantities(manager_user):
    errors = refused(save_promotion, user=manager_user, kind="buy_get", discount_percent=None)
    assert list(errors) == ["buy_product"]
    errors = refused(
        save_promotion, user=manager_user, kind="buy_get", buy_product=ProductFactory(), buy_quantity="0"
    )
    assert list(errors) == ["buy_quantity"]


# --- forms ------------------------------------------------------------------------------------


def test_the_promotion_form_shows_the_missing_end_next_to_its_field(client, manager_user):
    client.force_login(manager_user)
    response = client.post(
        reverse("sales:prices:promotion_create"),
        {
            "name": "满减",
            "kind": "order",
            "valid_from": days(0).isoformat(),
            "threshold": "1000",
            "discount_percent": "5",
        },
    )
    assert response.status_code == 200
    assert 'data-field-error="valid_until"' in response.content.decode()
    assert "needs an end date" in response.content.decode()
    assert not Promotion.objects.exists()


def test_the_promotion_form_shows_a_discount_over_100_next_to_its_field(client, manager_user):
    client.force_login(manager_user)
    response = client.post(
        reverse("sales:prices:promotion_create"),
        {
            "name": "满减",
            "kind": "order",
            "valid_from": days(0).isoformat(),
            "valid_until": days(9).isoformat(),
            "discount_percent": "120",
        },
    )
    assert 'data-field-error="discount_percent"' in response.content.decode()
    assert not Promotion.objects.exists()


def _list_form(customer, product, **overrides):
    data = {
        "name": "协议价",
        "customer": customer.pk,
        "valid_from": days(0).isoformat(),
        "valid_until": days(30).isoformat(),
        "is_active": "on",
        "lines-TOTAL_FORMS": "1",
        "lines-INITIAL_FORMS": "0",
        "lines-MIN_NUM_FORMS": "0",
        "lines-MAX_NUM_FORMS": "1000",
        "lines-0-product": product.pk,
        "lines-0-unit": "",
        "lines-0-min_quantity": "",
        "lines-0-price": "25",
    }
    data.update(overrides)
    return data


def test_the_price_list_form_shows_an_overlap_next_to_the_product(client, manager_user, customer, product):
    price_list(customer=customer, lines=[(product, "26")])
    client.force_login(manager_user)
    response = client.post(reverse("sales:prices:price_list_create"), _list_form(customer, product))
    body = response.content.decode()
    assert response.status_code == 200
    assert 'data-field-error="lines-0-product"' in body and "already prices A4-500" in body
    assert PriceList.objects.count() == 1


def test_the_price_list_form_shows_an_inverted_range_and_a_negative_price(
    client, manager_user, customer, product
):
    client.force_login(manager_user)
    response = client.post(
        reverse("sales:prices:price_list_create"),
        _list_form(customer, product, **{"valid_until": days(-1).isoformat()}),
    )
    assert 'data-field-error="valid_until"' in response.content.decode()
    response = client.post(
        reverse("sales:prices:price_list_create"), _list_form(customer, product, **{"lines-0-price": "-3"})
    )
    assert 'data-field-error="lines-0-price"' in response.content.decode()
    assert not PriceList.objects.exists()


def test_the_price_list_form_saves_a_list_with_a_unit_named(client, manager_user, customer, product):
    from tests.scm.inventory.factories import ProductUnitFactory

    box = ProductUnitFactory(product=product, name="箱", factor=Decimal("5"))
    client.force_login(manager_user)
    response = client.post(
        reverse("sales:prices:price_list_create"),
        _list_form(customer, product, **{"lines-0-unit": "箱", "lines-0-min_quantity": "10"}),
    )
    saved = PriceList.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "sales:prices:price_list_detail", args=[saved.pk]
    )
    line = saved.lines.get()
    assert (line.unit_id, line.min_quantity, line.price) == (box.pk, Decimal(10), Decimal("25.00"))


# --- API --------------------------------------------------------------------------------------


@pytest.fixture
def manager_api(api_client, manager_user):
    api_client.force_authenticate(manager_user)
    return api_client


def promotion_body(**overrides):
    body = {
        "name": "满 10,000 享 9 折",
        "kind": "order",
        "valid_from": days(0).isoformat(),
        "valid_until": days(30).isoformat(),
        "threshold": "10000",
        "discount_percent": "10",
    }
    body.update(overrides)
    return body


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"valid_until": None}, "valid_until"),
        ({"valid_until": days(-1).isoformat()}, "valid_until"),
        ({"valid_from": "2026-02-31"}, "valid_from"),
        ({"discount_percent": "-1"}, "discount_percent"),
        ({"discount_percent": "101"}, "discount_percent"),
        ({"discount_percent": "NaN"}, "discount_percent"),
        ({"discount_percent": None, "discount_amount": "-5"}, "discount_amount"),
        ({"group": "²"}, "group"),
        ({"threshold": "1e30"}, "threshold"),
    ],
)
def test_the_api_refuses_a_bad_promotion_naming_the_field(manager_api, overrides, field):
    response = manager_api.post("/api/v1/promotions/", promotion_body(**overrides), format="json")
    assert response.status_code == 400, response.content
    assert list(response.json()) == [field]
    assert not Promotion.objects.exists()


def test_the_api_creates_a_promotion_and_reads_it_back(manager_api):
    response = manager_api.post("/api/v1/promotions/", promotion_body(), format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["discount_percent"], body["threshold"], body["state"]) == ("10.00", "10000.00", "current")


def list_body(owner, product, **overrides):
    body = {
        "name": "协议价",
        "customer": owner.pk,
        "valid_from": days(0).isoformat(),
        "lines": [{"product": product.pk, "price": "25", "min_quantity": "0"}],
    }
    body.update(overrides)
    return body


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"valid_until": days(-5).isoformat()}, "valid_until"),
        ({"valid_from": "2026-02-31"}, "valid_from"),
        ({"lines": [{"product": "PRODUCT", "price": "-1"}]}, "lines[0].price"),
        ({"lines": [{"product": "PRODUCT", "price": "NaN"}]}, "lines[0].price"),
        ({"lines": [{"product": "PRODUCT", "price": "1", "min_quantity": "-2"}]}, "lines[0].min_quantity"),
        ({"customer": "²"}, "customer"),
    ],
)
def test_the_api_refuses_a_bad_price_list_naming_the_field(manager_api, customer, product, overrides, field):
    if "lines" in overrides:
        overrides["lines"][0]["product"] = product.pk
    response = manager_api.post(
        "/api/v1/price-lists/", list_body(customer, product, **overrides), format="json"
    )
    assert response.status_code == 400, response.content
    assert list(response.json()) == [field]
    assert not PriceList.objects.exists()


def test_the_api_refuses_an_overlapping_price_list(manager_api, customer, product):
    assert (
        manager_api.post("/api/v1/price-lists/", list_body(customer, product), format="json").status_code
        == 201
    )
    response = manager_api.post(
        "/api/v1/price-lists/", list_body(customer, product, name="另一份"), format="json"
    )
    assert response.status_code == 400
    assert list(response.json()) == ["lines[0].product"]
    assert PriceList.objects.count() == 1


def test_the_api_creates_a_price_list_with_breaks_and_reads_it(manager_api, customer, product):
    body = list_body(
        customer,
        product,
        lines=[
            {"product": product.pk, "price": "25"},
            {"product": product.pk, "price": "22", "min_quantity": "100"},
        ],
    )
    response = manager_api.post("/api/v1/price-lists/", body, format="json")
    assert response.status_code == 201, response.content
    created = response.json()
    assert [(ln["min_quantity"], ln["price"]) for ln in created["lines"]] == [
        ("0.000", "25.00"),
        ("100.000", "22.00"),
    ]
    response = manager_api.patch(f"/api/v1/price-lists/{created['id']}/", {"is_active": False}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["state"] == "inactive" and len(response.json()["lines"]) == 2


def test_only_managers_write_price_lists_and_promotions(api_client, sales_user, customer, product):
    api_client.force_authenticate(sales_user)
    assert (
        api_client.post("/api/v1/price-lists/", list_body(customer, product), format="json").status_code
        == 403
    )
    assert api_client.post("/api/v1/promotions/", promotion_body(), format="json").status_code == 403
    assert api_client.get("/api/v1/promotions/").status_code == 200


def test_a_rep_reads_the_price_lists_of_their_customers_and_of_groups_only(
    api_client, sales_user, customer, product
):
    mine = price_list(customer=customer, lines=[(product, "25")])
    price_list(customer=CustomerFactory(), lines=[(product, "20")])
    group_list = price_list(group=CustomerGroupFactory(), lines=[(product, "22")])
    api_client.force_authenticate(sales_user)
    ids = {row["id"] for row in api_client.get("/api/v1/price-lists/").json()["results"]}
    assert ids == {mine.pk, group_list.pk}


def test_an_order_discount_made_through_the_api_is_the_one_orders_get(manager_api, customer, sales_user):
    from crm.sales.orders import services as order_services

    manager_api.post("/api/v1/promotions/", promotion_body(), format="json")
    order = order_services.order_create(
        customer=customer,
        owner=sales_user,
        lines=[{"product": ProductFactory(list_price=Decimal("2500")), "quantity": 4}],
    )
    assert order.promotion_discount == Decimal("1000.00")
