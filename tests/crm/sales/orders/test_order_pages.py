from decimal import Decimal

import pytest
from django.urls import reverse

from crm.sales.models import SalesOrder
from crm.sales.orders import actions as order_actions
from crm.sales.orders import services as order_services
from crm.sales.orders import states as order_states
from scm.inventory.reservations import stock_reserve
from scm.inventory.services import stock_receive
from tests.crm.sales.factories import CustomerFactory, TeamFactory
from tests.factories import UserFactory
from tests.scm.inventory.factories import ProductFactory, ProductUnitFactory, WarehouseFactory

pytestmark = pytest.mark.django_db


def order_for(owner, **kwargs):
    customer = CustomerFactory(owner=owner)
    return order_services.order_create(
        customer=customer, owner=owner, lines=[{"product": ProductFactory(), "quantity": 2}], **kwargs
    )


def test_order_list_query_count_does_not_grow_with_rows(client, sales_user, django_assert_max_num_queries):
    for _ in range(3):
        order_for(sales_user)
    client.force_login(sales_user)
    url = reverse("sales:orders:order_list")
    with django_assert_max_num_queries(12) as few:
        client.get(url)
    for _ in range(20):
        order_for(sales_user)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(url)
    assert response.status_code == 200
    assert response.content.count(b'href="/sales/orders/') >= 20


def test_order_list_filters_by_state_and_search_in_the_url(client, sales_user):
    draft = order_for(sales_user)
    confirmed = order_for(sales_user)
    order_states.order_transition(order=confirmed, to_state=SalesOrder.State.CONFIRMED)
    client.force_login(sales_user)
    body = client.get(reverse("sales:orders:order_list") + "?state=confirmed").content.decode()
    assert confirmed.number in body and draft.number not in body
    body = client.get(reverse("sales:orders:order_list") + f"?q={draft.number}").content.decode()
    assert draft.number in body and confirmed.number not in body


def test_rep_reads_teammates_orders_but_not_another_teams(client, sales_user):
    mate = UserFactory(roles=["sales"])
    stranger = UserFactory(roles=["sales"])
    team = TeamFactory()
    team.members.add(sales_user, mate)
    mates_order = order_for(mate)
    strangers_order = order_for(stranger)
    client.force_login(sales_user)
    assert client.get(reverse("sales:orders:order_detail", args=[mates_order.pk])).status_code == 200
    assert client.get(reverse("sales:orders:order_detail", args=[strangers_order.pk])).status_code == 404
    body = client.get(reverse("sales:orders:order_list")).content.decode()
    assert mates_order.number in body and strangers_order.number not in body


def test_rep_cannot_edit_a_teammates_draft(client, sales_user):
    mate = UserFactory(roles=["sales"])
    TeamFactory().members.add(sales_user, mate)
    order = order_for(mate)
    client.force_login(sales_user)
    assert client.get(reverse("sales:orders:order_edit", args=[order.pk])).status_code == 403


def test_service_role_cannot_open_orders(client, service_user):
    client.force_login(service_user)
    assert client.get(reverse("sales:orders:order_list")).status_code == 403


def test_manager_and_warehouse_see_every_order(client, manager_user, warehouse_user):
    order = order_for(UserFactory(roles=["sales"]))
    for user in (manager_user, warehouse_user):
        client.force_login(user)
        assert client.get(reverse("sales:orders:order_detail", args=[order.pk])).status_code == 200


def test_order_form_creates_an_order_in_boxes(client, sales_user):
    customer = CustomerFactory(owner=sales_user)
    product = ProductFactory(list_price=Decimal("5.00"))
    box = ProductUnitFactory(product=product, factor=Decimal("12"))
    client.force_login(sales_user)
    data = {
        "customer": customer.pk,
        "lines-TOTAL_FORMS": "2",
        "lines-INITIAL_FORMS": "0",
        "lines-0-product": product.pk,
        "lines-0-unit": box.pk,
        "lines-0-quantity": "2",
        "lines-1-product": "",
        "lines-1-quantity": "",
    }
    response = client.post(reverse("sales:orders:order_create"), data)
    assert response.status_code == 302
    order = SalesOrder.objects.get()
    assert order.lines.get().base_quantity == Decimal("24")
    assert order.subtotal == Decimal("120.00")


def test_order_form_shows_the_error_next_to_the_quantity(client, sales_user):
    customer = CustomerFactory(owner=sales_user)
    client.force_login(sales_user)
    data = {
        "customer": customer.pk,
        "lines-TOTAL_FORMS": "1",
        "lines-INITIAL_FORMS": "0",
        "lines-0-product": ProductFactory().pk,
        "lines-0-quantity": "-1",
    }
    response = client.post(reverse("sales:orders:order_create"), data)
    assert response.status_code == 200
    assert b'data-field-error="lines-0-quantity"' in response.content
    assert SalesOrder.objects.count() == 0


def test_atp_partial_shows_available_per_warehouse(client, sales_user):
    product = ProductFactory()
    ProductUnitFactory(product=product, name="box", factor=Decimal("24"))
    beijing = WarehouseFactory(code="BJ", name="北京仓")
    shanghai = WarehouseFactory(code="SH", name="上海仓")
    stock_receive(product=product, warehouse=beijing, quantity=100)
    stock_receive(product=product, warehouse=shanghai, quantity=40)
    stock_reserve(product=product, quantity=Decimal(30), demand="test:1", warehouse_ids=[beijing.pk])
    client.force_login(sales_user)
    response = client.get(
        reverse("sales:orders:atp"),
        {"prefix": "lines-0", "lines-0-product": product.pk},
        HTTP_HX_REQUEST="true",
    )
    body = response.content.decode()
    assert 'data-warehouse="BJ"' in body and 'data-warehouse="SH"' in body
    assert 'data-available="70"' in body
    assert 'data-available="40"' in body
    assert 'id="id_lines-0-unit"' in body and "box" in body


def test_order_page_polls_while_confirmed_and_stops_when_reserved(client, sales_user):
    order = order_for(sales_user)
    client.force_login(sales_user)
    url = reverse("sales:orders:order_detail", args=[order.pk])
    assert b'hx-trigger="every 3s"' not in client.get(url).content
    order_states.order_transition(order=order, to_state=SalesOrder.State.CONFIRMED)
    assert b'hx-trigger="every 3s"' in client.get(url).content
    line = order.lines.get()
    order_services.order_line_progress(line_id=line.pk, reserved=line.base_quantity)
    order_states.order_refresh_state(order_id=order.pk)
    partial = client.get(url + "?partial=live", HTTP_HX_REQUEST="true")
    assert b'data-state="reserved"' in partial.content
    assert b'hx-trigger="every 3s"' not in partial.content
    assert b"<html" not in partial.content


def test_registered_actions_show_for_their_states_and_roles(client, sales_user, finance_user):
    order_actions.register(
        "test_confirm",
        "Confirm it",
        "sales:orders:order_pdf",
        states=("draft",),
        roles=("sales",),
        style="primary",
    )
    try:
        order = order_for(sales_user)
        client.force_login(sales_user)
        url = reverse("sales:orders:order_detail", args=[order.pk])
        assert b'data-action="test_confirm"' in client.get(url).content
        client.force_login(finance_user)
        assert b'data-action="test_confirm"' not in client.get(url).content
    finally:
        order_actions.unregister("test_confirm")


def test_order_confirmation_pdf_downloads(client, sales_user):
    order = order_for(sales_user)
    client.force_login(sales_user)
    response = client.get(reverse("sales:orders:order_pdf", args=[order.pk]))
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")


def test_line_row_partial_bumps_the_form_count(client, sales_user):
    client.force_login(sales_user)
    response = client.get(reverse("sales:orders:line_row"), {"lines-TOTAL_FORMS": "3"})
    body = response.content.decode()
    assert 'name="lines-3-product"' in body
    assert 'name="lines-TOTAL_FORMS" value="4"' in body


def test_totals_partial_prices_the_lines(client, sales_user):
    product = ProductFactory(list_price=Decimal("10.00"), tax_rate=Decimal("0.13"))
    client.force_login(sales_user)
    response = client.post(
        reverse("sales:orders:totals"),
        {
            "lines-TOTAL_FORMS": "1",
            "lines-INITIAL_FORMS": "0",
            "lines-0-product": product.pk,
            "lines-0-quantity": "3",
        },
    )
    body = response.content.decode()
    assert "30.00" in body and "33.90" in body


def test_customer_info_partial_shows_credit_and_open_orders(client, sales_user):
    customer = CustomerFactory(owner=sales_user, credit_limit=Decimal("1000.00"))
    product = ProductFactory(list_price=Decimal("100.00"), tax_rate=Decimal("0"))
    order = order_services.order_create(
        customer=customer, owner=sales_user, lines=[{"product": product, "quantity": 3}]
    )
    order_states.order_transition(order=order, to_state=SalesOrder.State.CONFIRMED)
    client.force_login(sales_user)
    response = client.get(reverse("sales:orders:customer_info"), {"customer": customer.pk})
    body = response.content.decode()
    assert 'data-testid="customer-open-orders">¥300.00' in body
    assert "700.00" in body


def test_order_list_shows_the_total_of_the_filtered_orders(client, sales_user):
    customer = CustomerFactory(owner=sales_user)
    product = ProductFactory(list_price=Decimal("10.00"), tax_rate=Decimal("0"))
    for qty in (1, 2, 4):
        order_services.order_create(
            customer=customer, owner=sales_user, lines=[{"product": product, "quantity": qty}]
        )
    client.force_login(sales_user)
    body = client.get(reverse("sales:orders:order_list")).content.decode()
    assert 'data-testid="list-total">¥70.00' in body


def test_atp_partial_shows_incoming_supply_with_its_date(client, sales_user):
    from datetime import date

    from scm.inventory.models import IncomingSupply

    product = ProductFactory()
    warehouse = WarehouseFactory(code="GZ", name="广州仓")
    IncomingSupply.objects.create(
        reference="PO-1",
        product=product,
        warehouse=warehouse,
        quantity=Decimal(50),
        expected_date=date(2026, 12, 20),
    )
    client.force_login(sales_user)
    response = client.get(reverse("sales:orders:atp"), {"product": product.pk}, HTTP_ACCEPT_LANGUAGE="en")
    body = response.content.decode()
    assert 'data-warehouse="GZ"' in body
    assert "+50" in body and "12/20/2026" in body
