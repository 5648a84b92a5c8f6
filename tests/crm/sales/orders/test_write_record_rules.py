"""Writes follow the read rules: a rep cannot write a quote, an order, an opportunity, an
activity or a contact for a customer they may not read (another team's). Such a customer is
answered as one that does not exist (the same field error as an unknown id) and nothing is
written; a path id they may not read is 404."""

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation

from crm.customers.models import Contact
from crm.sales.models import Activity, Opportunity, Quote, SalesOrder
from crm.sales.orders import quote_services
from crm.sales.orders import services as order_services
from tests.crm.sales.factories import CustomerFactory, TeamFactory
from tests.factories import UserFactory
from tests.scm.inventory.factories import ProductFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _in_english(settings):
    """The messages are asserted in English: pages and the API answer in it (a client that asks
    for no language gets LANGUAGE_CODE), and so do services called here."""
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


UNKNOWN_ID = 987654


@pytest.fixture
def setting(db):
    rep = UserFactory(roles=["sales"])
    other_rep = UserFactory(roles=["sales"])
    TeamFactory(members=[rep])
    TeamFactory(members=[other_rep])
    return {
        "rep": rep,
        "own": CustomerFactory(owner=rep, credit_limit=Decimal("5000")),
        "theirs": CustomerFactory(owner=other_rep, credit_limit=Decimal("777000"), address="秘密地址 1 号"),
        "product": ProductFactory(),
    }


def _body(setting, customer):
    return {"customer": customer.pk, "lines": [{"product": setting["product"].pk, "quantity": "1"}]}


def _nothing_written():
    return not SalesOrder.objects.exists() and not Quote.objects.exists()


@pytest.mark.parametrize(
    "path", ["/api/v1/order-workflow/place/", "/api/v1/sales-orders/", "/api/v1/quotes/"]
)
def test_api_refuses_an_order_or_quote_for_another_teams_customer(setting, api_client, path):
    api_client.force_authenticate(setting["rep"])
    response = api_client.post(path, _body(setting, setting["theirs"]), format="json")
    assert response.status_code == 400
    assert "customer" in response.json()
    assert setting["theirs"].name not in response.content.decode()
    assert _nothing_written()


@pytest.mark.parametrize("path", ["/api/v1/order-workflow/place/", "/api/v1/quotes/"])
def test_another_teams_customer_is_answered_as_an_unknown_id(setting, api_client, path):
    api_client.force_authenticate(setting["rep"])
    theirs = api_client.post(path, _body(setting, setting["theirs"]), format="json").json()
    unknown = api_client.post(
        path, {**_body(setting, setting["theirs"]), "customer": UNKNOWN_ID}, format="json"
    ).json()
    assert theirs["customer"] == unknown["customer"] == ["No such customer."]


def test_api_still_places_an_order_for_the_reps_own_customer(setting, api_client):
    api_client.force_authenticate(setting["rep"])
    response = api_client.post("/api/v1/order-workflow/place/", _body(setting, setting["own"]), format="json")
    assert response.status_code == 201


def test_api_refuses_moving_a_draft_order_to_another_teams_customer(setting, api_client):
    order = order_services.order_create(
        customer=setting["own"],
        owner=setting["rep"],
        lines=[{"product": setting["product"], "quantity": "1"}],
    )
    api_client.force_authenticate(setting["rep"])
    response = api_client.patch(
        f"/api/v1/sales-orders/{order.pk}/", {"customer": setting["theirs"].pk}, format="json"
    )
    assert response.status_code == 400
    order.refresh_from_db()
    assert order.customer_id == setting["own"].pk


def test_api_refuses_moving_a_draft_quote_to_another_teams_customer(setting, api_client):
    quote = quote_services.quote_create(
        customer=setting["own"],
        owner=setting["rep"],
        lines=[{"product": setting["product"], "quantity": "1"}],
    )
    api_client.force_authenticate(setting["rep"])
    response = api_client.patch(
        f"/api/v1/quotes/{quote.pk}/", {"customer": setting["theirs"].pk}, format="json"
    )
    assert response.status_code == 400
    quote.refresh_from_db()
    assert quote.customer_id == setting["own"].pk


def test_services_refuse_a_customer_the_owner_may_not_read(setting):
    from django.core.exceptions import ValidationError

    lines = [{"product": setting["product"], "quantity": "1"}]
    with pytest.raises(ValidationError) as order_error:
        order_services.order_create(customer=setting["theirs"], owner=setting["rep"], lines=lines)
    with pytest.raises(ValidationError):
        quote_services.quote_create(customer=setting["theirs"], owner=setting["rep"], lines=lines)
    assert "customer" in order_error.value.message_dict
    assert _nothing_written()


@pytest.mark.parametrize("url_name", ["sales:orders:order_create", "sales:orders:quote_create"])
def test_order_and_quote_forms_neither_offer_nor_take_another_teams_customer(setting, client, url_name):
    client.force_login(setting["rep"])
    page = client.get(reverse(url_name)).content.decode()
    assert setting["theirs"].name not in page  # the customer picker lists none before a search
    found = client.get(reverse("customer-picker")).json()["results"]
    assert setting["own"].pk in [r["id"] for r in found] and setting["theirs"].pk not in [
        r["id"] for r in found
    ]
    post = {
        "customer": setting["theirs"].pk,
        "lines-TOTAL_FORMS": "1",
        "lines-INITIAL_FORMS": "0",
        "lines-0-product": setting["product"].pk,
        "lines-0-quantity": "1",
    }
    response = client.post(reverse(url_name), post)
    assert response.status_code == 200  # the form again, with the error on the customer
    assert 'data-field-error="customer"' in response.content.decode()
    assert _nothing_written()


def test_customer_info_partial_shows_nothing_of_another_teams_customer(setting, client):
    client.force_login(setting["rep"])
    url = reverse("sales:orders:customer_info")
    theirs = client.get(url, {"customer": setting["theirs"].pk}).content.decode()
    assert "customer-info" not in theirs and "秘密地址" not in theirs and "777" not in theirs
    assert "customer-info" in client.get(url, {"customer": setting["own"].pk}).content.decode()


def test_opportunity_api_refuses_another_teams_customer(setting, api_client):
    api_client.force_authenticate(setting["rep"])
    response = api_client.post(
        "/api/v1/opportunities/",
        {"name": "x", "customer": setting["theirs"].pk, "amount": "1"},
        format="json",
    )
    assert response.status_code == 400 and "customer" in response.json()
    assert not Opportunity.objects.exists()


def test_activity_api_refuses_another_teams_customer(setting, api_client):
    api_client.force_authenticate(setting["rep"])
    response = api_client.post(
        "/api/v1/activities/",
        {"kind": "call", "subject": "x", "customer": setting["theirs"].pk},
        format="json",
    )
    assert response.status_code == 400 and "customer" in response.json()
    assert not Activity.objects.exists()


def test_contact_api_answers_another_teams_customer_as_unknown_not_forbidden(setting, api_client):
    api_client.force_authenticate(setting["rep"])
    theirs = api_client.post(
        "/api/v1/contacts/", {"customer": setting["theirs"].pk, "name": "x"}, format="json"
    )
    unknown = api_client.post("/api/v1/contacts/", {"customer": UNKNOWN_ID, "name": "x"}, format="json")
    assert theirs.status_code == unknown.status_code == 400
    assert "customer" in theirs.json()
    assert not Contact.objects.filter(customer=setting["theirs"]).exists()


def test_activity_service_refuses_another_teams_customer(setting):
    from django.core.exceptions import ValidationError

    from crm.sales import services

    with pytest.raises(ValidationError):
        services.activity_log(actor=setting["rep"], kind="call", subject="x", customer=setting["theirs"])
    assert not Activity.objects.exists()


# --- next -------------------------------------------------------------------------------------


@pytest.mark.parametrize("target", ["https://evil.example/x", "//evil.example/x", "javascript:alert(1)"])
def test_logging_an_activity_does_not_follow_a_next_to_another_site(setting, client, target):
    client.force_login(setting["rep"])
    response = client.post(
        reverse("sales:activity_add"),
        {"kind": "call", "subject": "x", "customer": setting["own"].pk, "next": target},
    )
    assert response.status_code == 302 and response["Location"] == reverse("sales:tasks")


def test_logging_an_activity_follows_a_next_on_this_site(setting, client):
    client.force_login(setting["rep"])
    here = reverse("customers:detail", args=[setting["own"].pk])
    response = client.post(
        reverse("sales:activity_add"),
        {"kind": "call", "subject": "x", "customer": setting["own"].pk, "next": here},
    )
    assert response["Location"] == here


def test_completing_a_task_does_not_follow_a_next_to_another_site(setting, client):
    from django.utils import timezone

    task = Activity.objects.create(
        kind=Activity.Kind.TASK,
        subject="t",
        customer=setting["own"],
        owner=setting["rep"],
        at=timezone.now(),
        due_at=timezone.now(),
    )
    client.force_login(setting["rep"])
    response = client.post(reverse("sales:task_done", args=[task.pk]), {"next": "https://evil.example/"})
    assert response["Location"] == reverse("sales:tasks")


# --- the schema ---------------------------------------------------------------------------


def test_schema_and_docs_need_a_signed_in_user_with_a_role(setting, api_client, client):
    assert api_client.get("/api/v1/schema/").status_code in {401, 403}
    api_client.force_authenticate(UserFactory())
    assert api_client.get("/api/v1/schema/").status_code == 403
    api_client.force_authenticate(setting["rep"])
    assert api_client.get("/api/v1/schema/").status_code == 200
    assert client.get("/api/v1/docs/").status_code in {401, 403}


def test_accepting_a_quote_whose_customer_the_rep_no_longer_sees_writes_no_order(setting, api_client):
    quote = quote_services.quote_create(
        customer=setting["own"],
        owner=setting["rep"],
        lines=[{"product": setting["product"], "quantity": "1"}],
    )
    # The customer moves to the other team's rep: the quote stays the rep's, the customer not.
    setting["own"].owner = setting["theirs"].owner
    setting["own"].save()
    api_client.force_authenticate(setting["rep"])
    response = api_client.post(f"/api/v1/quotes/{quote.pk}/accept/")
    assert response.status_code == 400 and "customer" in response.json()
    assert not SalesOrder.objects.exists()
    quote.refresh_from_db()
    assert quote.state == Quote.State.DRAFT


def test_opportunity_form_does_not_take_another_teams_customer(setting, client):
    client.force_login(setting["rep"])
    response = client.post(
        reverse("sales:opportunity_create"), {"name": "x", "customer": setting["theirs"].pk, "amount": "1"}
    )
    assert response.status_code == 200
    assert not Opportunity.objects.exists()


def test_logging_an_activity_page_answers_404_for_another_teams_customer(setting, client):
    client.force_login(setting["rep"])
    response = client.post(
        reverse("sales:activity_add"), {"kind": "call", "subject": "x", "customer": setting["theirs"].pk}
    )
    assert response.status_code == 404
    assert not Activity.objects.exists()
