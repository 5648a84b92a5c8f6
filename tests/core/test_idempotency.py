"""Idempotency-Key on the API's POSTs and one-time form tokens (core.idempotency)."""

import threading
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from core import idempotency
from core.models import IdempotencyKey
from crm.sales.models import SalesOrder
from tests.crm.sales.factories import CustomerFactory
from tests.scm.inventory.factories import ProductFactory

pytestmark = pytest.mark.django_db


def _order_body(customer, quantity="2"):
    return {"customer": customer.pk, "lines": [{"product": ProductFactory().pk, "quantity": quantity}]}


def test_the_same_key_twice_makes_one_order_and_answers_the_same(api_client, sales_user):
    customer = CustomerFactory(owner=sales_user)
    body = _order_body(customer)
    api_client.force_login(sales_user)
    first = api_client.post("/api/v1/sales-orders/", body, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    second = api_client.post("/api/v1/sales-orders/", body, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert first.status_code == second.status_code == 201
    assert second.json() == first.json()
    assert second["Idempotent-Replayed"] == "true"
    assert SalesOrder.objects.count() == 1


def test_without_a_key_each_post_creates(api_client, sales_user):
    customer = CustomerFactory(owner=sales_user)
    body = _order_body(customer)
    api_client.force_login(sales_user)
    api_client.post("/api/v1/sales-orders/", body, format="json")
    api_client.post("/api/v1/sales-orders/", body, format="json")
    assert SalesOrder.objects.count() == 2


def test_the_same_key_with_another_body_answers_422(api_client, sales_user):
    customer = CustomerFactory(owner=sales_user)
    api_client.force_login(sales_user)
    api_client.post("/api/v1/sales-orders/", _order_body(customer), format="json", HTTP_IDEMPOTENCY_KEY="k")
    other = api_client.post(
        "/api/v1/sales-orders/", _order_body(customer, "5"), format="json", HTTP_IDEMPOTENCY_KEY="k"
    )
    assert other.status_code == 422
    assert SalesOrder.objects.count() == 1


def test_keys_are_per_user(api_client, sales_user, user_with_role):
    other_rep = user_with_role("sales")
    api_client.force_login(sales_user)
    api_client.post(
        "/api/v1/sales-orders/",
        _order_body(CustomerFactory(owner=sales_user)),
        format="json",
        HTTP_IDEMPOTENCY_KEY="same",
    )
    api_client.force_login(other_rep)
    response = api_client.post(
        "/api/v1/sales-orders/",
        _order_body(CustomerFactory(owner=other_rep)),
        format="json",
        HTTP_IDEMPOTENCY_KEY="same",
    )
    assert response.status_code == 201
    assert SalesOrder.objects.count() == 2


def test_a_refused_request_is_replayed_with_its_refusal(api_client, sales_user):
    customer = CustomerFactory(owner=sales_user)
    api_client.force_login(sales_user)
    bad = _order_body(customer, "0")
    first = api_client.post("/api/v1/sales-orders/", bad, format="json", HTTP_IDEMPOTENCY_KEY="bad")
    second = api_client.post("/api/v1/sales-orders/", bad, format="json", HTTP_IDEMPOTENCY_KEY="bad")
    assert first.status_code == second.status_code == 400
    assert second.json() == first.json()


def test_an_unusable_key_answers_400(api_client, sales_user):
    api_client.force_login(sales_user)
    response = api_client.post(
        "/api/v1/sales-orders/",
        _order_body(CustomerFactory(owner=sales_user)),
        format="json",
        HTTP_IDEMPOTENCY_KEY="x" * 300,
    )
    assert response.status_code == 400
    assert "Idempotency-Key" in response.json()
    assert SalesOrder.objects.count() == 0


def test_the_longest_key_allowed_is_stored_and_replayed(api_client, sales_user):
    key = "k" * idempotency.MAX_KEY_LENGTH
    body = _order_body(CustomerFactory(owner=sales_user))
    api_client.force_login(sales_user)
    first = api_client.post("/api/v1/sales-orders/", body, format="json", HTTP_IDEMPOTENCY_KEY=key)
    second = api_client.post("/api/v1/sales-orders/", body, format="json", HTTP_IDEMPOTENCY_KEY=key)
    assert first.status_code == second.status_code == 201
    assert SalesOrder.objects.count() == 1


def test_an_expired_key_runs_again_and_the_purge_deletes_old_keys(api_client, sales_user):
    customer = CustomerFactory(owner=sales_user)
    body = _order_body(customer)
    api_client.force_login(sales_user)
    api_client.post("/api/v1/sales-orders/", body, format="json", HTTP_IDEMPOTENCY_KEY="old")
    IdempotencyKey.objects.update(created_at=timezone.now() - timedelta(hours=25))
    assert idempotency.keys_purge() == 1
    api_client.post("/api/v1/sales-orders/", body, format="json", HTTP_IDEMPOTENCY_KEY="old")
    assert SalesOrder.objects.count() == 2


def test_a_repeat_while_the_first_runs_is_answered_409(sales_user):
    row = IdempotencyKey.objects.create(
        user=sales_user, key="api:busy", fingerprint="f", created_at=timezone.now()
    )
    claim = idempotency.key_claim(user=sales_user, key="api:busy", fingerprint="f", wait_seconds=0)
    assert claim.outcome == "busy"
    assert claim.row.pk == row.pk


def test_the_schema_documents_the_header_on_creating_operations(api_client, admin_user):
    api_client.force_login(admin_user)
    schema = api_client.get("/api/v1/schema/?format=json").json()
    post = schema["paths"]["/api/v1/sales-orders/"]["post"]
    header = next(p for p in post["parameters"] if p["name"] == "Idempotency-Key")
    assert header["in"] == "header"
    assert header.get("required", False) is False
    get = schema["paths"]["/api/v1/sales-orders/"]["get"]
    assert all(p["name"] != "Idempotency-Key" for p in get.get("parameters", []))


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_parallel_posts_with_one_key_make_one_order(sales_user):
    customer = CustomerFactory(owner=sales_user)
    body = _order_body(customer)
    answers = []
    barrier = threading.Barrier(4)

    def post():
        client = Client()
        client.force_login(sales_user)
        barrier.wait()
        try:
            answers.append(
                client.post(
                    "/api/v1/sales-orders/",
                    body,
                    content_type="application/json",
                    HTTP_IDEMPOTENCY_KEY="parallel",
                ).status_code
            )
        finally:
            connection.close()

    threads = [threading.Thread(target=post) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert SalesOrder.objects.count() == 1
    assert sorted(answers) == [201] * 4
    assert Decimal(SalesOrder.objects.get().lines.get().quantity) == 2


def test_the_schema_documents_the_answers_the_header_adds(api_client, admin_user):
    api_client.force_login(admin_user)
    schema = api_client.get("/api/v1/schema/?format=json").json()
    responses = schema["paths"]["/api/v1/payments/"]["post"]["responses"]
    assert {"201", "409", "422"} <= set(responses)


def test_a_token_client_gets_the_first_answer_again(api_client, sales_user):
    from core.tokens import token_create

    _token, secret = token_create(user=sales_user, name="test")
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {secret}")
    body = _order_body(CustomerFactory(owner=sales_user))
    first = api_client.post("/api/v1/sales-orders/", body, format="json", HTTP_IDEMPOTENCY_KEY="tok")
    second = api_client.post("/api/v1/sales-orders/", body, format="json", HTTP_IDEMPOTENCY_KEY="tok")
    assert first.status_code == second.status_code == 201
    assert second["Idempotent-Replayed"] == "true"
    assert SalesOrder.objects.count() == 1
