from decimal import Decimal

import pytest
from django.urls import reverse

from crm.sales.models import SalesOrder
from integration.fulfilment import services, shipping
from integration.fulfilment.models import Shipment
from tests.crm.customers.factories import TeamFactory
from tests.factories import UserFactory
from tests.integration.fulfilment.factories import CustomerFactory, make_order, receive, three_warehouses
from tests.scm.inventory.factories import ProductFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(sales_user):
    warehouses = three_warehouses()
    product = ProductFactory(barcode="6900000000109", name="保温杯 500ml")
    receive(product, warehouses["SH"], 20)
    customer = CustomerFactory(owner=sales_user, name="上海华联贸易有限公司")
    return {"wh": warehouses, "product": product, "customer": customer, "rep": sales_user}


def workflow_url(order, action):
    return f"/api/v1/order-workflow/{order.pk}/{action}/"


def test_rep_confirms_own_order_through_the_api(world, api_client, django_capture_on_commit_callbacks):
    order = make_order(world["customer"], world["rep"], (world["product"], 2))
    api_client.force_authenticate(world["rep"])
    with django_capture_on_commit_callbacks(execute=True):
        response = api_client.post(workflow_url(order, "confirm"))
    assert response.status_code == 200, response.content
    assert response.json()["state"] == "confirmed"
    order.refresh_from_db()
    assert order.state == SalesOrder.State.RESERVED


def test_confirming_twice_through_the_api_is_a_400_naming_the_state(
    world, api_client, django_capture_on_commit_callbacks
):
    order = make_order(world["customer"], world["rep"], (world["product"], 2))
    api_client.force_authenticate(world["rep"])
    with django_capture_on_commit_callbacks(execute=True):
        api_client.post(workflow_url(order, "confirm"))
    response = api_client.post(workflow_url(order, "confirm"))
    assert response.status_code == 400
    assert "state" in response.json()


def test_rep_of_another_team_does_not_find_the_order(world, api_client):
    order = make_order(world["customer"], world["rep"], (world["product"], 2))
    api_client.force_authenticate(UserFactory(roles=["sales"]))
    assert api_client.post(workflow_url(order, "confirm")).status_code == 404
    order.refresh_from_db()
    assert order.state == SalesOrder.State.DRAFT


def test_teammate_reads_the_order_but_cannot_confirm_it(world, api_client):
    teammate = UserFactory(roles=["sales"])
    TeamFactory(members=[world["rep"], teammate])
    order = make_order(world["customer"], world["rep"], (world["product"], 2))
    api_client.force_authenticate(teammate)
    assert api_client.get(f"/api/v1/order-workflow/{order.pk}/").status_code == 200
    assert api_client.post(workflow_url(order, "confirm")).status_code == 403
    order.refresh_from_db()
    assert order.state == SalesOrder.State.DRAFT


@pytest.mark.parametrize("pk", ["999999999", "12abc", "99999999999999999999"])
def test_confirming_an_order_that_does_not_exist_is_a_404(world, api_client, pk):
    api_client.force_authenticate(world["rep"])
    assert api_client.post(f"/api/v1/order-workflow/{pk}/confirm/").status_code == 404


@pytest.mark.parametrize("role", ["warehouse", "finance"])
def test_warehouse_and_finance_cannot_confirm(world, api_client, role):
    order = make_order(world["customer"], world["rep"], (world["product"], 2))
    api_client.force_authenticate(UserFactory(roles=[role]))
    assert api_client.post(workflow_url(order, "confirm")).status_code == 403


def test_only_a_manager_releases_a_credit_hold(
    world, api_client, manager_user, django_capture_on_commit_callbacks
):
    world["customer"].credit_limit = Decimal("10.00")
    world["customer"].save()
    order = make_order(world["customer"], world["rep"], (world["product"], 2))
    services.order_confirm(order=order, user=world["rep"])
    api_client.force_authenticate(world["rep"])
    assert api_client.post(workflow_url(order, "release-hold")).status_code == 403
    api_client.force_authenticate(manager_user)
    with django_capture_on_commit_callbacks(execute=True):
        response = api_client.post(workflow_url(order, "release-hold"), {"text": "已担保"})
    assert response.status_code == 200 and response.json()["state"] == "confirmed"


def test_finance_reads_workflow_and_shipments_but_cannot_ship(
    world, api_client, finance_user, django_capture_on_commit_callbacks
):
    order = make_order(world["customer"], world["rep"], (world["product"], 2))
    with django_capture_on_commit_callbacks(execute=True):
        services.order_confirm(order=order, user=world["rep"])
    shipment = shipping.shipment_start(order=order, warehouse=world["wh"]["SH"])
    api_client.force_authenticate(finance_user)
    assert api_client.get(f"/api/v1/order-workflow/{order.pk}/").status_code == 200
    assert api_client.get("/api/v1/shipments/").json()["count"] == 1
    response = api_client.post(
        f"/api/v1/shipments/{shipment.pk}/ship/", {"carrier": "x", "tracking_number": "y"}
    )
    assert response.status_code == 403


def test_warehouse_picks_scans_and_ships_through_the_api(
    world, api_client, warehouse_user, django_capture_on_commit_callbacks
):
    order = make_order(world["customer"], world["rep"], (world["product"], 2))
    with django_capture_on_commit_callbacks(execute=True):
        services.order_confirm(order=order, user=world["rep"])
    api_client.force_authenticate(warehouse_user)
    lists = api_client.get(f"/api/v1/pick-lists/?warehouse={world['wh']['SH'].pk}").json()
    assert [row["order"] for row in lists["results"]] == [order.pk]
    created = api_client.post("/api/v1/shipments/", {"order": order.pk, "warehouse": world["wh"]["SH"].pk})
    assert created.status_code == 201
    sid = created.json()["id"]
    assert api_client.post(f"/api/v1/shipments/{sid}/scan/", {"code": "6900000000109"}).status_code == 200
    over = api_client.post(
        f"/api/v1/shipments/{sid}/ship/",
        {
            "carrier": "顺丰",
            "tracking_number": "SF9",
            "lines": [{"id": created.json()["lines"][0]["id"], "quantity": "5"}],
        },
        format="json",
    )
    assert over.status_code == 400 and "quantity" in over.json()
    with django_capture_on_commit_callbacks(execute=True):
        shipped = api_client.post(
            f"/api/v1/shipments/{sid}/ship/", {"carrier": "顺丰", "tracking_number": "SF9"}, format="json"
        )
    assert shipped.status_code == 200 and shipped.json()["state"] == "shipped"


def test_shipment_list_has_a_fixed_number_of_queries(
    world, api_client, warehouse_user, django_capture_on_commit_callbacks, django_assert_max_num_queries
):
    for _ in range(4):
        order = make_order(world["customer"], world["rep"], (world["product"], 1))
        with django_capture_on_commit_callbacks(execute=True):
            services.order_confirm(order=order, user=world["rep"])
        shipping.shipment_start(order=order, warehouse=world["wh"]["SH"])
    api_client.force_authenticate(warehouse_user)
    with django_assert_max_num_queries(8):
        response = api_client.get("/api/v1/shipments/")
    assert response.json()["count"] == 4


def test_picking_page_lists_orders_with_a_fixed_number_of_queries(
    world, client, warehouse_user, django_capture_on_commit_callbacks, django_assert_max_num_queries
):
    for _ in range(3):
        order = make_order(world["customer"], world["rep"], (world["product"], 1))
        with django_capture_on_commit_callbacks(execute=True):
            services.order_confirm(order=order, user=world["rep"])
    client.force_login(warehouse_user)
    url = reverse("fulfilment:picking") + f"?warehouse={world['wh']['SH'].pk}"
    with django_assert_max_num_queries(16):
        response = client.get(url)
    assert response.status_code == 200
    assert response.content.decode().count("Start picking") + response.content.decode().count("开始拣货") == 3


def test_scan_answers_the_htmx_partial(world, client, warehouse_user, django_capture_on_commit_callbacks):
    order = make_order(world["customer"], world["rep"], (world["product"], 2))
    with django_capture_on_commit_callbacks(execute=True):
        services.order_confirm(order=order, user=world["rep"])
    shipment = shipping.shipment_start(order=order, warehouse=world["wh"]["SH"])
    client.force_login(warehouse_user)
    url = reverse("fulfilment:shipment-scan", args=[shipment.pk])
    ok = client.post(url, {"code": "6900000000109"}, HTTP_HX_REQUEST="true")
    assert ok.status_code == 200 and b'id="scan-panel"' in ok.content and b"<html" not in ok.content
    bad = client.post(url, {"code": "0000"}, HTTP_HX_REQUEST="true")
    assert bad.status_code == 200 and b"scan-error" in bad.content and bad["X-Scan-Result"] == "error"


def test_sales_cannot_open_the_picking_page(client, sales_user):
    client.force_login(sales_user)
    assert client.get(reverse("fulfilment:picking")).status_code == 403


def test_confirm_button_posts_and_redirects(world, client, django_capture_on_commit_callbacks):
    order = make_order(world["customer"], world["rep"], (world["product"], 1))
    client.force_login(world["rep"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("fulfilment:order-confirm", args=[order.pk]))
    assert response.status_code == 302
    order.refresh_from_db()
    assert order.state == SalesOrder.State.RESERVED


def test_delivery_note_pdf_embeds_the_chinese_font(
    world, client, warehouse_user, django_capture_on_commit_callbacks
):
    order = make_order(world["customer"], world["rep"], (world["product"], 1))
    with django_capture_on_commit_callbacks(execute=True):
        services.order_confirm(order=order, user=world["rep"])
    shipment = shipping.shipment_start(order=order, warehouse=world["wh"]["SH"])
    client.force_login(warehouse_user)
    response = client.get(reverse("fulfilment:delivery-note", args=[shipment.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert b"/FontFile2" in response.content or b"STSong-Light" in response.content


def test_delivery_note_lists_lines_in_chinese(world, django_capture_on_commit_callbacks, monkeypatch):
    from integration.fulfilment import documents

    seen = {}
    monkeypatch.setattr(documents, "render_document", lambda **kwargs: seen.update(kwargs) or b"%PDF")
    order = make_order(world["customer"], world["rep"], (world["product"], 1))
    with django_capture_on_commit_callbacks(execute=True):
        services.order_confirm(order=order, user=world["rep"])
    shipment = shipping.shipment_start(order=order, warehouse=world["wh"]["SH"])
    from django.utils import translation

    with translation.override("zh-hans"):
        documents.delivery_note_pdf(shipment=Shipment.objects.get(pk=shipment.pk))
    assert seen["title"] == "送货单"
    assert seen["rows"][0][2] == "保温杯 500ml"
    assert "上海华联贸易有限公司" in seen["parties"][0][1]


def test_sales_cannot_release_a_credit_hold_from_the_page(world, client):
    world["customer"].credit_limit = Decimal("10.00")
    world["customer"].save()
    order = make_order(world["customer"], world["rep"], (world["product"], 2))
    services.order_confirm(order=order, user=world["rep"])
    client.force_login(world["rep"])
    assert client.post(reverse("fulfilment:order-release-hold", args=[order.pk])).status_code == 403
    order.refresh_from_db()
    assert order.state == SalesOrder.State.CREDIT_HOLD


def _shipped(world, capture):
    order = make_order(world["customer"], world["rep"], (world["product"], 3))
    with capture(execute=True):
        services.order_confirm(order=order, user=world["rep"])
    shipment = shipping.shipment_start(order=order, warehouse=world["wh"]["SH"])
    with capture(execute=True):
        shipping.shipment_ship(
            shipment=shipment, carrier="顺丰", tracking_number="SF7", quantities={shipment.lines.get().pk: 3}
        )
    return shipment


def test_return_form_shows_errors_next_to_the_field(
    world, client, warehouse_user, django_capture_on_commit_callbacks
):
    shipment = _shipped(world, django_capture_on_commit_callbacks)
    client.force_login(warehouse_user)
    url = reverse("fulfilment:return-create", args=[shipment.lines.get().pk])
    response = client.post(url, {"quantity": "9", "disposition": "restock", "reason": "破损"})
    assert response.status_code == 400
    assert b'data-field-error="quantity"' in response.content
    ok = client.post(url, {"quantity": "1", "disposition": "restock", "reason": "破损"})
    assert ok.status_code == 302
    assert shipment.lines.get().returned_quantity == 1


def test_returns_api_creates_a_credited_return(
    world, api_client, warehouse_user, django_capture_on_commit_callbacks
):
    shipment = _shipped(world, django_capture_on_commit_callbacks)
    api_client.force_authenticate(warehouse_user)
    response = api_client.post(
        "/api/v1/returns/",
        {"shipment_line": shipment.lines.get().pk, "quantity": "2", "disposition": "scrap", "reason": "过期"},
        format="json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["credit_note_id"] is not None
    bad = api_client.post(
        "/api/v1/returns/",
        {"shipment_line": shipment.lines.get().pk, "quantity": "5", "disposition": "scrap", "reason": "过期"},
        format="json",
    )
    assert bad.status_code == 400 and "quantity" in bad.json()


def test_order_page_offers_the_workflow_actions_by_state_and_role(world, manager_user):
    from crm.sales.orders import actions as order_actions

    order = make_order(world["customer"], world["rep"], (world["product"], 1))
    assert {"confirm", "cancel"} <= {a["key"] for a in order_actions.actions_for(order, world["rep"])}
    world["customer"].credit_limit = Decimal("1.00")
    world["customer"].save()
    order = services.order_confirm(order=order, user=world["rep"])
    assert "release_hold" not in {a["key"] for a in order_actions.actions_for(order, world["rep"])}
    release = [a for a in order_actions.actions_for(order, manager_user) if a["key"] == "release_hold"]
    assert release and release[0]["url"] == reverse("fulfilment:order-release-hold", args=[order.pk])


def test_a_draft_is_cancelled_one_way_only_the_audited_service(world, client):
    from django.urls import NoReverseMatch

    from core.models import AuditLog
    from crm.sales.orders import actions as order_actions

    order = make_order(world["customer"], world["rep"], (world["product"], 1))
    cancels = [a for a in order_actions.actions_for(order, world["rep"]) if "cancel" in a["key"]]
    assert [a["url"] for a in cancels] == [reverse("fulfilment:order-cancel", args=[order.pk])]
    with pytest.raises(NoReverseMatch):
        reverse("sales:orders:order_discard", args=[order.pk])
    client.force_login(world["rep"])

    client.post(cancels[0]["url"])

    order.refresh_from_db()
    assert order.state == SalesOrder.State.CANCELLED
    assert AuditLog.objects.filter(action="fulfilment.cancel", object_id=str(order.pk)).count() == 1
