from decimal import Decimal

import pytest

from crm.sales.models import Quote, SalesOrder
from crm.sales.orders import quote_services
from crm.sales.orders import services as order_services
from crm.sales.orders import states as order_states
from tests.crm.sales.factories import CustomerFactory, TeamFactory
from tests.factories import UserFactory
from tests.scm.inventory.factories import ProductFactory, ProductUnitFactory

pytestmark = pytest.mark.django_db


def order_for(owner):
    customer = CustomerFactory(owner=owner)
    return order_services.order_create(
        customer=customer, owner=owner, lines=[{"product": ProductFactory(), "quantity": 2}]
    )


def test_create_order_with_nested_lines_in_boxes(api_client, sales_user):
    customer = CustomerFactory(owner=sales_user)
    product = ProductFactory(list_price=Decimal("3.00"))
    box = ProductUnitFactory(product=product, factor=Decimal("24"))
    api_client.force_authenticate(sales_user)
    response = api_client.post(
        "/api/v1/sales-orders/",
        {"customer": customer.pk, "lines": [{"product": product.pk, "unit": box.pk, "quantity": "2"}]},
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["state"] == "draft"
    assert body["lines"][0]["base_quantity"] == "48.000"
    assert body["subtotal"] == "144.00"


@pytest.mark.parametrize(
    ("line", "field"),
    [
        ({"quantity": "0"}, "lines[0].quantity"),
        ({"quantity": "-2"}, "lines[0].quantity"),
        ({"quantity": "1", "inactive": True}, "lines[0].product"),
    ],
)
def test_bad_line_answers_400_naming_the_field(api_client, sales_user, line, field):
    customer = CustomerFactory(owner=sales_user)
    product = ProductFactory(is_active=not line.get("inactive"))
    api_client.force_authenticate(sales_user)
    response = api_client.post(
        "/api/v1/sales-orders/",
        {"customer": customer.pk, "lines": [{"product": product.pk, "quantity": line["quantity"]}]},
        format="json",
    )
    assert response.status_code == 400
    assert field in response.json()
    assert SalesOrder.objects.count() == 0


def test_rep_cannot_read_another_teams_order_by_id(api_client, sales_user):
    stranger_order = order_for(UserFactory(roles=["sales"]))
    api_client.force_authenticate(sales_user)
    assert api_client.get(f"/api/v1/sales-orders/{stranger_order.pk}/").status_code == 404
    assert api_client.get("/api/v1/sales-orders/").json()["count"] == 0


def test_rep_reads_but_cannot_change_a_teammates_draft(api_client, sales_user):
    mate = UserFactory(roles=["sales"])
    TeamFactory().members.add(sales_user, mate)
    order = order_for(mate)
    api_client.force_authenticate(sales_user)
    assert api_client.get(f"/api/v1/sales-orders/{order.pk}/").status_code == 200
    response = api_client.patch(f"/api/v1/sales-orders/{order.pk}/", {"notes": "x"}, format="json")
    assert response.status_code == 403


def test_update_draft_order_lines(api_client, sales_user):
    order = order_for(sales_user)
    product = ProductFactory(list_price=Decimal("7.00"))
    api_client.force_authenticate(sales_user)
    response = api_client.patch(
        f"/api/v1/sales-orders/{order.pk}/",
        {"lines": [{"product": product.pk, "quantity": "3"}], "notes": "urgent"},
        format="json",
    )
    assert response.status_code == 200, response.content
    assert response.json()["subtotal"] == "21.00"
    assert response.json()["notes"] == "urgent"


def test_update_confirmed_order_is_refused(api_client, sales_user):
    order = order_for(sales_user)
    order_states.order_transition(order=order, to_state=SalesOrder.State.CONFIRMED)
    api_client.force_authenticate(sales_user)
    response = api_client.patch(f"/api/v1/sales-orders/{order.pk}/", {"notes": "x"}, format="json")
    assert response.status_code == 400
    assert "state" in response.json()


def test_service_role_is_refused(api_client, service_user):
    api_client.force_authenticate(service_user)
    assert api_client.get("/api/v1/sales-orders/").status_code == 403
    assert api_client.get("/api/v1/quotes/").status_code == 403


def test_warehouse_reads_orders_but_cannot_create(api_client, warehouse_user):
    order_for(UserFactory(roles=["sales"]))
    api_client.force_authenticate(warehouse_user)
    assert api_client.get("/api/v1/sales-orders/").json()["count"] == 1
    assert api_client.post("/api/v1/sales-orders/", {}, format="json").status_code == 403


def test_order_list_query_count_is_fixed(api_client, sales_user, django_assert_max_num_queries):
    order_for(sales_user)
    api_client.force_authenticate(sales_user)
    with django_assert_max_num_queries(10) as few:
        api_client.get("/api/v1/sales-orders/")
    for _ in range(10):
        order_for(sales_user)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert api_client.get("/api/v1/sales-orders/").json()["count"] == 11


def test_quote_create_send_accept_through_the_api(api_client, sales_user, django_capture_on_commit_callbacks):
    customer = CustomerFactory(owner=sales_user, email="buyer@example.cn")
    product = ProductFactory()
    api_client.force_authenticate(sales_user)
    created = api_client.post(
        "/api/v1/quotes/",
        {"customer": customer.pk, "lines": [{"product": product.pk, "quantity": "5"}]},
        format="json",
    )
    assert created.status_code == 201, created.content
    quote_id = created.json()["id"]
    with django_capture_on_commit_callbacks(execute=True):
        sent = api_client.post(f"/api/v1/quotes/{quote_id}/send/")
    # Answered before the e-mail leaves (the outbox sends it after commit): marked sent once it has.
    assert sent.status_code == 200 and sent.json()["state"] == "draft"
    assert Quote.objects.get(pk=quote_id).state == Quote.State.SENT
    accepted = api_client.post(f"/api/v1/quotes/{quote_id}/accept/")
    assert accepted.status_code == 201
    assert SalesOrder.objects.get(pk=accepted.json()["id"]).quote_id == quote_id


def test_quote_bad_quantity_answers_400(api_client, sales_user):
    customer = CustomerFactory(owner=sales_user)
    api_client.force_authenticate(sales_user)
    response = api_client.post(
        "/api/v1/quotes/",
        {"customer": customer.pk, "lines": [{"product": ProductFactory().pk, "quantity": "1.5"}]},
        format="json",
    )
    assert response.status_code == 400
    assert "lines[0].quantity" in response.json()


def test_draft_quote_can_be_deleted_but_a_sent_one_cannot(
    api_client, sales_user, django_capture_on_commit_callbacks
):
    customer = CustomerFactory(owner=sales_user)
    lines = [{"product": ProductFactory(), "quantity": 1}]
    draft = quote_services.quote_create(customer=customer, owner=sales_user, lines=lines)
    sent = quote_services.quote_create(customer=customer, owner=sales_user, lines=lines)
    with django_capture_on_commit_callbacks(execute=True):
        quote_services.quote_send(quote=sent, user=sales_user)
    api_client.force_authenticate(sales_user)
    assert api_client.delete(f"/api/v1/quotes/{draft.pk}/").status_code == 204
    assert api_client.delete(f"/api/v1/quotes/{sent.pk}/").status_code == 400
    assert list(Quote.objects.values_list("pk", flat=True)) == [sent.pk]


def test_rep_cannot_read_another_teams_quote(api_client, sales_user):
    other = UserFactory(roles=["sales"])
    quote = quote_services.quote_create(
        customer=CustomerFactory(owner=other),
        owner=other,
        lines=[{"product": ProductFactory(), "quantity": 1}],
    )
    api_client.force_authenticate(sales_user)
    assert api_client.get(f"/api/v1/quotes/{quote.pk}/").status_code == 404


def test_a_created_order_is_answered_with_its_lines_and_their_ids(api_client, sales_user):
    customer = CustomerFactory(owner=sales_user)
    products = [ProductFactory(), ProductFactory()]
    api_client.force_authenticate(sales_user)
    response = api_client.post(
        "/api/v1/sales-orders/",
        {"customer": customer.pk, "lines": [{"product": p.pk, "quantity": "2"} for p in products]},
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    stored = SalesOrder.objects.get(pk=body["id"]).lines.order_by("pk")
    assert [(line["id"], line["product_sku"]) for line in body["lines"]] == [
        (line.pk, line.product.sku) for line in stored
    ]
