"""Who may see and act on an order has one definition (``crm.sales.orders.selectors``: the
customers' record rule applied to orders), and every page, API and panel that shows or moves an
order gives the same answer. The users are those on whom the earlier copies disagreed: a
teammate (read the order in ``/sales-orders/``, 404 in ``/order-workflow/``), a rep who leads
the team without being a member, the back office."""

import pytest
from django.urls import reverse

from crm.customers import panels
from crm.customers.selectors import customers_visible_to
from crm.sales.models import SalesOrder
from crm.sales.orders import actions as order_actions
from crm.sales.orders import quote_services
from crm.sales.orders import selectors as order_selectors
from finance import selectors as finance_selectors
from integration.fulfilment import services, shipping
from tests.crm.customers.factories import TeamFactory
from tests.factories import UserFactory
from tests.integration.fulfilment.factories import CustomerFactory, make_order, receive, three_warehouses
from tests.scm.inventory.factories import ProductFactory

pytestmark = pytest.mark.django_db

S = SalesOrder.State

# who → (reads the owner's orders, acts on them)
RULE = {
    "owner": (True, True),
    "teammate": (True, False),
    "team lead": (True, False),
    "rep of another team": (False, False),
    "manager": (True, True),
    "admin": (True, True),
    "finance": (True, False),
    "warehouse": (True, False),
    "rep who also works in finance": (True, False),
}


@pytest.fixture
def people(db):
    owner = UserFactory(roles=["sales"])
    teammate = UserFactory(roles=["sales"])
    lead = UserFactory(roles=["sales"])
    team = TeamFactory(members=[owner, teammate])
    team.manager = lead
    team.save()
    return {
        "owner": owner,
        "teammate": teammate,
        "team lead": lead,
        "rep of another team": UserFactory(roles=["sales"]),
        "manager": UserFactory(roles=["manager"]),
        "admin": UserFactory(roles=["admin"]),
        "finance": UserFactory(roles=["finance"]),
        "warehouse": UserFactory(roles=["warehouse"]),
        "rep who also works in finance": UserFactory(roles=["sales", "finance"]),
    }


@pytest.fixture
def world(people, django_capture_on_commit_callbacks):
    warehouses = three_warehouses()
    product = ProductFactory()
    receive(product, warehouses["SH"], 50)
    customer = CustomerFactory(owner=people["owner"], credit_limit=0)
    order = make_order(customer, people["owner"], (product, 2))
    with django_capture_on_commit_callbacks(execute=True):
        services.order_confirm(order=order, user=people["owner"])
    shipment = shipping.shipment_start(order=order, warehouse=warehouses["SH"])
    quote = quote_services.quote_create(
        customer=customer, owner=people["owner"], lines=[{"product": product, "quantity": 1}]
    )
    return {
        "people": people,
        "customer": customer,
        "product": product,
        "order": order,
        "shipment": shipment,
        "quote": quote,
    }


# --- reading -------------------------------------------------------------------------------


def _status(response) -> bool | None:
    """True found, False not found; None when the role may not use the page at all."""
    if response.status_code == 403:
        return None
    assert response.status_code in (200, 404), response.status_code
    return response.status_code == 200


def _page(url_name, key):
    def read(world, user, client, api_client):
        client.force_login(user)
        return _status(client.get(reverse(url_name, args=[world[key].pk])))

    return read


def _api(path, key):
    def read(world, user, client, api_client):
        api_client.force_authenticate(user)
        return _status(api_client.get(path.format(pk=world[key].pk)))

    return read


def _shipments_api_list(world, user, client, api_client):
    api_client.force_authenticate(user)
    response = api_client.get("/api/v1/shipments/", {"order": world["order"].pk})
    if response.status_code == 403:
        return None
    return response.json()["count"] == 1


def _order_list_page(world, user, client, api_client):
    client.force_login(user)
    response = client.get(reverse("sales:orders:order_list"))
    if response.status_code == 403:
        return None
    return world["order"] in response.context["page_obj"].object_list


def _panel(key, found):
    def read(world, user, client, api_client):
        panel = next((p for p in panels.panels_for(world["customer"], user) if p["key"] == key), None)
        return None if panel is None else found(world, panel)

    return read


READERS = {
    "order page": _page("sales:orders:order_detail", "order"),
    "order list page": _order_list_page,
    "order PDF": _page("sales:orders:order_pdf", "order"),
    "sales-orders API": _api("/api/v1/sales-orders/{pk}/", "order"),
    "order-workflow API": _api("/api/v1/order-workflow/{pk}/", "order"),
    "shipments API": _shipments_api_list,
    "shipment API": _api("/api/v1/shipments/{pk}/", "shipment"),
    "shipment page": _page("fulfilment:shipment", "shipment"),
    "delivery note PDF": _page("fulfilment:delivery-note", "shipment"),
    "quote page": _page("sales:orders:quote_detail", "quote"),
    "quotes API": _api("/api/v1/quotes/{pk}/", "quote"),
    "customer 360 orders panel": _panel("orders", lambda w, p: w["order"] in p["recent_orders"]),
    "customer 360 shipments panel": _panel("shipments", lambda w, p: w["shipment"] in p["shipments"]),
}


@pytest.mark.parametrize("who", RULE)
def test_the_read_rule_means_own_team_and_back_office(who, world):
    user = world["people"][who]
    assert order_selectors.orders_visible_to(user).filter(pk=world["order"].pk).exists() is RULE[who][0]
    assert order_selectors.quotes_visible_to(user).filter(pk=world["quote"].pk).exists() is RULE[who][0]


@pytest.mark.parametrize("who", RULE)
@pytest.mark.parametrize("reader", READERS)
def test_every_page_api_and_panel_reads_orders_by_the_one_rule(reader, who, world, client, api_client):
    found = READERS[reader](world, world["people"][who], client, api_client)
    if found is None:
        pytest.skip(f"{who} does not use the {reader}")
    assert found is RULE[who][0]


@pytest.mark.parametrize("who", RULE)
def test_orders_and_customers_are_read_by_one_rule(who, world):
    """The orders' rule is the customers' rule (and finance's): whoever reads a rep's customers
    reads that rep's orders, and the other way round."""
    user = world["people"][who]
    assert customers_visible_to(user).filter(pk=world["customer"].pk).exists() is RULE[who][0]
    assert finance_selectors.visible_customers(user).filter(pk=world["customer"].pk).exists() is RULE[who][0]


# --- acting --------------------------------------------------------------------------------


def _draft(world):
    return make_order(world["customer"], world["people"]["owner"], (world["product"], 1))


def _acted(response, ok_codes) -> bool | None:
    if response.status_code in ok_codes:
        return True
    assert response.status_code in (403, 404), response.status_code
    return False


def _workflow_api(action):
    def act(world, user, client, api_client, draft):
        api_client.force_authenticate(user)
        return _acted(api_client.post(f"/api/v1/order-workflow/{draft.pk}/{action}/"), (200,))

    return act


def _workflow_page(url_name):
    def act(world, user, client, api_client, draft):
        client.force_login(user)
        return _acted(client.post(reverse(url_name, args=[draft.pk])), (302,))

    return act


def _edit_page(world, user, client, api_client, draft):
    client.force_login(user)
    return _acted(client.get(reverse("sales:orders:order_edit", args=[draft.pk])), (200,))


def _update_api(world, user, client, api_client, draft):
    api_client.force_authenticate(user)
    response = api_client.patch(f"/api/v1/sales-orders/{draft.pk}/", {"notes": "加急"}, format="json")
    return _acted(response, (200,))


def _actions_shown(world, user, client, api_client, draft):
    return {"confirm", "cancel", "edit"} <= {a["key"] for a in order_actions.actions_for(draft, user)}


ACTORS = {
    "confirm API": _workflow_api("confirm"),
    "cancel API": _workflow_api("cancel"),
    "confirm page": _workflow_page("fulfilment:order-confirm"),
    "cancel page": _workflow_page("fulfilment:order-cancel"),
    "edit page": _edit_page,
    "sales-orders API update": _update_api,
    "order page's actions": _actions_shown,
}
# Roles that may not use an action at all (answered 403 before any record rule).
ACTION_ROLES = (
    "owner",
    "teammate",
    "team lead",
    "rep of another team",
    "manager",
    "admin",
    "rep who also works in finance",
)


@pytest.mark.parametrize("who", RULE)
def test_the_act_rule_means_the_owner_or_a_manager(who, world):
    user, order = world["people"][who], world["order"]
    may = RULE[who][1]
    assert order_selectors.can_change(user, order) is may
    assert order_selectors.orders_actable_by(user).filter(pk=order.pk).exists() is may
    owners = order_selectors.owners_actable_by(user)
    assert (owners is None or order.owner_id in owners) is may


@pytest.mark.parametrize("who", ACTION_ROLES)
@pytest.mark.parametrize("actor", ACTORS)
def test_every_page_and_api_acts_on_orders_by_the_one_rule(
    actor, who, world, client, api_client, django_capture_on_commit_callbacks
):
    draft = _draft(world)
    with django_capture_on_commit_callbacks(execute=True):
        acted = ACTORS[actor](world, world["people"][who], client, api_client, draft)
    assert acted is RULE[who][1]
    draft.refresh_from_db()
    if not RULE[who][1]:
        assert draft.state == S.DRAFT and draft.notes == ""


@pytest.mark.postgres
@pytest.mark.parametrize("who", RULE)
def test_sql_applies_the_act_rule_as_the_selector_does(who, world):
    """``owners_actable_by`` is how hand-written SQL applies the rule."""
    from django.db import connection

    user, order = world["people"][who], world["order"]
    sql, params = f"SELECT 1 FROM {SalesOrder._meta.db_table} so WHERE so.id = %s", [order.pk]
    owners = order_selectors.owners_actable_by(user)
    if owners is not None:
        sql += " AND so.owner_id = ANY(%s)"
        params.append(list(owners))
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        assert (cursor.fetchone() is not None) is RULE[who][1]


def test_a_rep_not_in_the_team_gets_404_not_403_when_acting(world, api_client):
    api_client.force_authenticate(world["people"]["rep of another team"])
    response = api_client.post(f"/api/v1/order-workflow/{_draft(world).pk}/cancel/")
    assert response.status_code == 404


def test_a_teammate_gets_403_when_acting_on_an_order_they_read(world, api_client):
    api_client.force_authenticate(world["people"]["teammate"])
    response = api_client.post(f"/api/v1/order-workflow/{_draft(world).pk}/cancel/")
    assert response.status_code == 403


@pytest.mark.parametrize("url_name", ["fulfilment:shipment", "fulfilment:delivery-note"])
def test_a_shipment_page_and_its_pdf_are_404_to_a_rep_who_may_not_see_the_order(world, client, url_name):
    from django.urls import reverse

    client.force_login(world["people"]["rep of another team"])
    assert client.get(reverse(url_name, args=[world["shipment"].pk])).status_code == 404
