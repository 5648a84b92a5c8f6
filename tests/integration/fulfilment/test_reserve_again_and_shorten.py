"""Reserving again by hand (managers, page and API) and shortening a confirmed line."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from core.models import AuditLog
from crm.sales.models import SalesOrder
from integration.fulfilment import services, shipping
from integration.fulfilment.models import Backorder, Shipment
from scm.inventory.models import StockLevel
from tests.factories import UserFactory
from tests.integration.fulfilment.factories import CustomerFactory, make_order, receive, three_warehouses
from tests.scm.inventory.factories import ProductFactory

pytestmark = pytest.mark.django_db
S = SalesOrder.State


@pytest.fixture
def world(sales_user):
    warehouses = three_warehouses()
    customer = CustomerFactory(owner=sales_user)
    product = ProductFactory(list_price=Decimal("10.00"), tax_rate=Decimal("0.13"))
    return {"wh": warehouses, "product": product, "customer": customer, "rep": sales_user}


@pytest.fixture
def waiting(world, django_capture_on_commit_callbacks):
    """An order for 10 that holds 4: 6 on backorder. 6 more then arrive unannounced (their
    event is never handled), so only reserving again serves it."""
    receive(world["product"], world["wh"]["SH"], 4)
    order = make_order(world["customer"], world["rep"], (world["product"], 10))
    with django_capture_on_commit_callbacks(execute=True):
        services.order_confirm(order=order, user=world["rep"])
    receive(world["product"], world["wh"]["SH"], 6)
    order.refresh_from_db()
    assert order.state == S.PARTLY_RESERVED
    return order


def reserve_again_url(order):
    return f"/fulfilment/orders/{order.pk}/reserve-again/"


def api_url(order_id, action):
    return f"/api/v1/order-workflow/{order_id}/{action}/"


# --- reserve again: page ------------------------------------------------------------------------


def test_manager_reserves_again_from_the_order_page(waiting, manager_user, client):
    client.force_login(manager_user)
    response = client.post(reserve_again_url(waiting), HTTP_ACCEPT_LANGUAGE="en", follow=True)
    waiting.refresh_from_db()
    assert waiting.state == S.RESERVED and waiting.lines.get().reserved_quantity == 10
    assert f"Reserved 6 more for {waiting.number}; 0 still on backorder." in response.content.decode()
    assert Backorder.objects.get(order=waiting).quantity == 0
    assert AuditLog.objects.filter(action="fulfilment.reserve_again").exists()


def test_rep_cannot_reserve_again(waiting, world, client):
    client.force_login(world["rep"])
    assert client.post(reserve_again_url(waiting)).status_code == 403
    waiting.refresh_from_db()
    assert waiting.lines.get().reserved_quantity == 4


def test_reserve_again_of_an_unknown_order_is_a_404(manager_user, client):
    client.force_login(manager_user)
    assert client.post("/fulfilment/orders/999999/reserve-again/").status_code == 404


def test_order_page_offers_reserve_again_to_managers_only(waiting, world, manager_user, client):
    client.force_login(manager_user)
    assert 'data-action="reserve_again"' in client.get(f"/sales/orders/{waiting.pk}/").content.decode()
    client.force_login(world["rep"])
    assert 'data-action="reserve_again"' not in client.get(f"/sales/orders/{waiting.pk}/").content.decode()


def test_reserve_again_says_when_nothing_more_could_be_reserved(world, manager_user, client):
    order = make_order(world["customer"], world["rep"], (world["product"], 3))
    services.order_confirm(order=order, user=world["rep"])
    client.force_login(manager_user)
    response = client.post(reserve_again_url(order), HTTP_ACCEPT_LANGUAGE="en", follow=True)
    assert (
        f"Nothing more could be reserved for {order.number}: 3 still on backorder."
        in response.content.decode()
    )


# --- reserve again: API -------------------------------------------------------------------------


def test_manager_reserves_again_through_the_api(waiting, manager_user, api_client):
    api_client.force_authenticate(manager_user)
    response = api_client.post(api_url(waiting.pk, "reserve-again"))
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["state"], body["reserved"], body["backordered"]) == ("reserved", "6.000", "0.000")
    assert body["backorders"] == [
        {"line": waiting.lines.get().pk, "product": waiting.lines.get().product_id, "quantity": "0.000"}
    ]


def test_rep_cannot_reserve_again_through_the_api(waiting, world, api_client):
    api_client.force_authenticate(world["rep"])
    assert api_client.post(api_url(waiting.pk, "reserve-again")).status_code == 403


@pytest.mark.parametrize("order_id", ["999999", "abc"])
def test_reserve_again_through_the_api_of_an_unknown_order_is_a_404(manager_user, api_client, order_id):
    api_client.force_authenticate(manager_user)
    assert api_client.post(api_url(order_id, "reserve-again")).status_code == 404


def test_reserve_again_of_a_draft_is_a_400_naming_the_state(world, manager_user, api_client):
    order = make_order(world["customer"], world["rep"], (world["product"], 3))
    api_client.force_authenticate(manager_user)
    response = api_client.post(api_url(order.pk, "reserve-again"))
    assert response.status_code == 400 and "state" in response.json()


# --- shortening a line --------------------------------------------------------------------------


def test_shortening_a_line_drops_its_backorder_and_recomputes_totals(waiting, world):
    line = waiting.lines.get()
    order = services.order_line_shorten(order=waiting, line_id=line.pk, quantity="4", user=world["rep"])
    line.refresh_from_db()
    assert (line.quantity, line.base_quantity, line.reserved_quantity) == (4, 4, 4)
    assert Backorder.objects.get(line=line).quantity == 0
    assert order.state == S.RESERVED
    assert (order.subtotal, order.tax_total, order.total) == (
        Decimal("40.00"),
        Decimal("5.20"),
        Decimal("45.20"),
    )
    assert order.events.filter(kind="line_shortened").exists()
    assert AuditLog.objects.filter(action="fulfilment.line_shorten").exists()


def test_shortening_releases_what_the_line_no_longer_needs_for_the_next_order(
    world, django_capture_on_commit_callbacks
):
    receive(world["product"], world["wh"]["SH"], 10)
    first = make_order(world["customer"], world["rep"], (world["product"], 10))
    second = make_order(world["customer"], world["rep"], (world["product"], 3))
    with django_capture_on_commit_callbacks(execute=True):
        services.order_confirm(order=first, user=world["rep"])
    with django_capture_on_commit_callbacks(execute=True):
        services.order_confirm(order=second, user=world["rep"])
    with django_capture_on_commit_callbacks(execute=True):
        services.order_line_shorten(order=first, line_id=first.lines.get().pk, quantity=7, user=world["rep"])
    assert first.lines.get().reserved_quantity == 7
    second.refresh_from_db()
    assert (second.state, second.lines.get().reserved_quantity) == (S.RESERVED, 3)
    assert StockLevel.objects.get(product=world["product"]).reserved == 10


def test_shortening_cannot_go_below_what_shipped(world, django_capture_on_commit_callbacks):
    receive(world["product"], world["wh"]["SH"], 4)
    order = make_order(world["customer"], world["rep"], (world["product"], 10))
    with django_capture_on_commit_callbacks(execute=True):
        services.order_confirm(order=order, user=world["rep"])
    shipment = shipping.shipment_start(order=order, warehouse=world["wh"]["SH"])
    shipment.lines.update(picked_quantity=4)
    with django_capture_on_commit_callbacks(execute=True):
        shipping.shipment_ship(shipment=shipment, carrier="顺丰速运", tracking_number="SF3")
    with pytest.raises(ValidationError) as exc:
        services.order_line_shorten(order=order, line_id=order.lines.get().pk, quantity=3, user=world["rep"])
    assert "quantity" in exc.value.message_dict
    assert order.lines.get().quantity == 10


def test_shortening_cancels_an_open_pick_list_that_would_offer_too_much(
    world, django_capture_on_commit_callbacks
):
    receive(world["product"], world["wh"]["SH"], 10)
    order = make_order(world["customer"], world["rep"], (world["product"], 10))
    with django_capture_on_commit_callbacks(execute=True):
        services.order_confirm(order=order, user=world["rep"])
    shipment = shipping.shipment_start(order=order, warehouse=world["wh"]["SH"])
    services.order_line_shorten(order=order, line_id=order.lines.get().pk, quantity=6, user=world["rep"])
    shipment.refresh_from_db()
    assert shipment.state == Shipment.State.CANCELLED
    again = shipping.shipment_start(order=order, warehouse=world["wh"]["SH"])
    assert [line.quantity for line in again.lines.all()] == [6]


@pytest.mark.parametrize("quantity", ["10", "12", "0", "-1", "abc"])
def test_shortening_refuses_a_quantity_that_is_not_less(waiting, world, api_client, quantity):
    api_client.force_authenticate(world["rep"])
    response = api_client.post(
        api_url(waiting.pk, "shorten-line"), {"line": waiting.lines.get().pk, "quantity": quantity}
    )
    assert response.status_code == 400 and "quantity" in response.json()
    assert waiting.lines.get().quantity == 10


def test_rep_shortens_own_order_line_through_the_api(waiting, world, api_client):
    api_client.force_authenticate(world["rep"])
    response = api_client.post(
        api_url(waiting.pk, "shorten-line"),
        {"line": waiting.lines.get().pk, "quantity": "8", "text": "客户减量"},
    )
    assert response.status_code == 200, response.content
    assert Backorder.objects.get(order=waiting).quantity == 4


def test_another_team_rep_does_not_find_the_order_to_shorten(waiting, api_client):
    # The order is invisible to a rep of another team: not found, as everywhere (the record rule).
    api_client.force_authenticate(UserFactory(roles=["sales"]))
    response = api_client.post(
        api_url(waiting.pk, "shorten-line"), {"line": waiting.lines.get().pk, "quantity": "8"}
    )
    assert response.status_code == 404
    assert waiting.lines.get().quantity == 10


def test_a_line_of_another_order_is_refused(waiting, world, api_client):
    other = make_order(world["customer"], world["rep"], (world["product"], 2))
    api_client.force_authenticate(world["rep"])
    response = api_client.post(
        api_url(waiting.pk, "shorten-line"), {"line": other.lines.get().pk, "quantity": "1"}
    )
    assert response.status_code == 400 and "line" in response.json()


def test_rep_shortens_a_line_on_the_order_page(waiting, world, client):
    client.force_login(world["rep"])
    url = f"/fulfilment/orders/{waiting.pk}/shorten/"
    assert client.get(url).status_code == 200
    response = client.post(url, {"line": waiting.lines.get().pk, "quantity": "5", "text": ""})
    assert response.status_code == 302
    assert waiting.lines.get().quantity == 5


def test_shorten_page_shows_the_error_next_to_the_quantity(waiting, world, client):
    client.force_login(world["rep"])
    response = client.post(
        f"/fulfilment/orders/{waiting.pk}/shorten/",
        {"line": waiting.lines.get().pk, "quantity": "11"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400
    assert response.context["form"].errors["quantity"]
