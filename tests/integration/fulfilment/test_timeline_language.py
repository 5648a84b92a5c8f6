"""Timeline entries and notifications are stored as message keys with parameters and shown in the
reader's language, whatever the language of whoever caused them."""

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation

from core.events.models import Notification
from crm.sales.models import OrderEvent
from integration.fulfilment import services, shipping
from integration.fulfilment.models import Return
from tests.integration.fulfilment.factories import (
    ContactFactory,
    CustomerFactory,
    make_order,
    receive,
    three_warehouses,
)
from tests.scm.inventory.factories import ProductFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(sales_user):
    warehouses = three_warehouses()
    customer = CustomerFactory(owner=sales_user)
    ContactFactory(customer=customer, email="buyer@customer.example")
    product = ProductFactory()
    receive(product, warehouses["SH"], 10)
    return {"wh": warehouses, "customer": customer, "rep": sales_user, "product": product}


def shipped_order(world, capture, language):
    """Confirm and ship an order of two as a user working in ``language``."""
    with translation.override(language):
        order = make_order(world["customer"], world["rep"], (world["product"], 2))
        with capture(execute=True):
            services.order_confirm(order=order, user=world["rep"])
        shipment = shipping.shipment_start(order=order, warehouse=world["wh"]["SH"], user=world["rep"])
        shipment.lines.update(picked_quantity=2)
        with capture(execute=True):
            shipping.shipment_ship(
                shipment=shipment, carrier="顺丰速运", tracking_number="SF1234567890", user=world["rep"]
            )
    shipment.refresh_from_db()
    return order, shipment


def order_page(client, user, order, language) -> str:
    client.force_login(user)
    url = reverse("sales:orders:order_detail", args=[order.pk])
    return client.get(url, HTTP_ACCEPT_LANGUAGE=language).content.decode()


def test_an_english_reader_sees_a_chinese_users_actions_in_english(
    world, client, django_capture_on_commit_callbacks
):
    order, shipment = shipped_order(world, django_capture_on_commit_callbacks, "zh-hans")
    html = order_page(client, world["rep"], order, "en")
    assert "All stock reserved (2)." in html
    assert f"Pick list {shipment.number} opened in SH 上海仓" in html
    assert f"Shipment {shipment.number} shipped with 顺丰速运, tracking SF1234567890" in html
    assert f"Shipping notice for {shipment.number} sent to buyer@customer.example" in html
    assert "库存已全部预留" not in html and "发货通知" not in html


def test_a_chinese_reader_sees_an_english_users_actions_in_chinese(
    world, client, django_capture_on_commit_callbacks
):
    order, shipment = shipped_order(world, django_capture_on_commit_callbacks, "en")
    html = order_page(client, world["rep"], order, "zh-hans")
    assert "库存已全部预留（2）。" in html
    assert f"发货单 {shipment.number} 的发货通知已发送至 buyer@customer.example" in html
    assert "All stock reserved" not in html and "Shipping notice" not in html


def test_the_reservation_rule_stores_its_entry_as_a_key_with_figures(
    world, django_capture_on_commit_callbacks
):
    with translation.override("zh-hans"):
        order = make_order(world["customer"], world["rep"], (world["product"], 12))
        with django_capture_on_commit_callbacks(execute=True):
            services.order_confirm(order=order, user=world["rep"])
    entry = OrderEvent.objects.get(order=order, kind="reserved")
    assert entry.text == "Reserved %(reserved)s; %(short)s on backorder."
    assert entry.data["params"] == {"reserved": "10", "short": "2"}
    from crm.sales.orders.services import order_event_text

    with translation.override("en"):
        assert order_event_text(entry) == "Reserved 10; 2 on backorder."
    with translation.override("zh-hans"):
        assert order_event_text(entry) == "已预留 10；2 欠货。"


def test_the_credit_hold_entry_and_notification_follow_the_reader(
    world, manager_user, django_capture_on_commit_callbacks
):
    world["customer"].credit_limit = Decimal("1.00")
    world["customer"].save()
    with translation.override("zh-hans"):
        order = make_order(world["customer"], world["rep"], (world["product"], 2))
        services.order_confirm(order=order, user=world["rep"])
    entry = OrderEvent.objects.get(order=order, kind="state:credit_hold")
    note = Notification.objects.get(user=manager_user, kind="credit_hold")
    from crm.sales.orders.services import order_event_text

    with translation.override("en"):
        assert order_event_text(entry).startswith("Credit hold: exposure ")
        assert order_event_text(entry).endswith("over the limit 1.00.")  # money keeps its cents
        assert note.title_text() == f"Order {order.number} is on credit hold"
        assert note.body_text().startswith("Credit hold: exposure ")


def test_a_notification_title_is_shown_in_the_readers_language(
    world, client, api_client, django_capture_on_commit_callbacks
):
    with translation.override("zh-hans"):
        order = make_order(world["customer"], world["rep"], (world["product"], 2))
        with django_capture_on_commit_callbacks(execute=True):
            services.order_confirm(order=order, user=world["rep"])
    client.force_login(world["rep"])
    page = client.get(reverse("events:notifications"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert f"Order {order.number}: All stock reserved (2)." in page
    api_client.force_authenticate(world["rep"])
    body = api_client.get("/api/v1/notifications/", HTTP_ACCEPT_LANGUAGE="zh-hans").json()
    assert body["results"][0]["title"] == f"订单 {order.number}：库存已全部预留（2）。"


def test_the_api_timeline_is_in_the_readers_language(
    world, api_client, django_capture_on_commit_callbacks, django_assert_max_num_queries
):
    order, shipment = shipped_order(world, django_capture_on_commit_callbacks, "zh-hans")
    api_client.force_authenticate(world["rep"])
    url = f"/api/v1/sales-orders/{order.pk}/timeline/"
    with django_assert_max_num_queries(12):
        body = api_client.get(url, HTTP_ACCEPT_LANGUAGE="en").json()
    texts = [entry["text"] for entry in body["results"]]
    assert texts[0] == "Order created" and "All stock reserved (2)." in texts
    shipped = next(e for e in body["results"] if e["kind"] == "shipped")
    assert shipped["message"] == "Shipment %(number)s shipped with %(carrier)s, tracking %(tracking)s"
    assert shipped["params"]["tracking"] == "SF1234567890"
    assert shipped["user_name"]
    zh = api_client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans").json()
    assert "订单已创建" in [entry["text"] for entry in zh["results"]]


def test_the_api_timeline_costs_the_same_queries_however_long(
    world, api_client, django_capture_on_commit_callbacks, django_assert_num_queries
):
    from crm.sales.orders import services as order_services

    order, _shipment = shipped_order(world, django_capture_on_commit_callbacks, "en")
    api_client.force_authenticate(world["rep"])
    url = f"/api/v1/sales-orders/{order.pk}/timeline/"
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    api_client.get(url)  # caches what any request fills once (roles)
    with CaptureQueriesContext(connection) as short:
        api_client.get(url)
    for _ in range(5):
        order_services.order_add_event(order=order, kind="note", text="备注", user=world["rep"])
    with django_assert_num_queries(len(short)):
        api_client.get(url)


def test_another_reps_order_timeline_is_not_found(world, api_client, django_capture_on_commit_callbacks):
    from tests.factories import UserFactory

    order, _shipment = shipped_order(world, django_capture_on_commit_callbacks, "en")
    api_client.force_authenticate(UserFactory(roles=["sales"]))
    assert api_client.get(f"/api/v1/sales-orders/{order.pk}/timeline/").status_code == 404


def test_a_returns_disposition_is_shown_in_the_readers_language(world, django_capture_on_commit_callbacks):
    _order, shipment = shipped_order(world, django_capture_on_commit_callbacks, "zh-hans")
    with translation.override("zh-hans"):
        shipping.return_create(
            shipment_line=shipment.lines.get(),
            quantity=1,
            disposition=Return.Disposition.SCRAP,
            reason="包装破损",
            user=world["rep"],
        )
    entry = OrderEvent.objects.get(order=shipment.order, kind="returned")
    from crm.sales.orders.services import order_event_text

    with translation.override("en"):
        assert (
            order_event_text(entry)
            == f"Return {entry.data['params']['number']}: 1 × {world['product'].name} (Scrap)"
        )
    with translation.override("zh-hans"):
        assert order_event_text(entry).endswith("（报废）")


def test_entries_stored_as_translated_text_are_shown_as_written(
    world, client, django_capture_on_commit_callbacks
):
    order, _shipment = shipped_order(world, django_capture_on_commit_callbacks, "en")
    OrderEvent.objects.create(order=order, kind="reserved", text="库存已全部预留（2）。", data={})
    Notification.objects.create(user=world["rep"], title="订单 SO-1：库存已全部预留（2）。 100%")
    html = order_page(client, world["rep"], order, "en")
    assert "库存已全部预留（2）。" in html
    page = client.get(reverse("events:notifications"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "订单 SO-1：库存已全部预留（2）。 100%" in page
