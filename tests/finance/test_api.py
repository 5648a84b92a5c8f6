from decimal import Decimal

import pytest

from finance import payments, services
from finance.models import CreditNote, Invoice, Payment
from tests.finance.factories import CustomerFactory, make_invoice

pytestmark = pytest.mark.django_db

D = Decimal


def _as(api_client, user):
    api_client.force_authenticate(user)
    return api_client


def test_finance_creates_an_invoice_through_the_api(api_client, finance_user):
    customer = CustomerFactory(payment_terms_days=15)
    response = _as(api_client, finance_user).post(
        "/api/v1/invoices/",
        {
            "customer": customer.pk,
            "issue_date": "2026-03-01",
            "source_reference": "api:1",
            "lines": [{"description": "矿泉水", "quantity": "2", "unit_price": "10.00", "tax_rate": "0.13"}],
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    assert response.data["total"] == "22.60"
    assert response.data["due_date"] == "2026-03-16"


def test_manager_cannot_create_invoices_through_the_api(api_client, manager_user):
    customer = CustomerFactory()
    response = _as(api_client, manager_user).post(
        "/api/v1/invoices/",
        {"customer": customer.pk, "lines": [{"description": "x", "quantity": "1", "unit_price": "1"}]},
        format="json",
    )
    assert response.status_code == 403
    assert not Invoice.objects.exists()


@pytest.mark.parametrize("role", ["warehouse_user", "purchasing_user", "service_user"])
def test_other_roles_cannot_read_invoices(api_client, request, role):
    make_invoice(CustomerFactory())
    response = _as(api_client, request.getfixturevalue(role)).get("/api/v1/invoices/")
    assert response.status_code == 403


def test_sales_reads_only_own_customers_invoices(api_client, sales_user):
    own = make_invoice(CustomerFactory(owner=sales_user))
    other = make_invoice(CustomerFactory())
    response = _as(api_client, sales_user).get("/api/v1/invoices/")
    assert response.status_code == 200
    assert [row["number"] for row in response.data["results"]] == [own.number]
    assert api_client.get(f"/api/v1/invoices/{other.pk}/").status_code == 404
    assert api_client.get(f"/api/v1/receivables/{other.customer_id}/balance/").status_code == 404
    assert api_client.get(f"/api/v1/receivables/{own.customer_id}/balance/").status_code == 200


def test_invoice_api_list_queries_are_fixed(api_client, finance_user, django_assert_max_num_queries):
    for _ in range(30):
        make_invoice(CustomerFactory())
    with django_assert_max_num_queries(8):
        response = _as(api_client, finance_user).get("/api/v1/invoices/")
    assert response.data["count"] == 30


def test_payment_with_allocations_through_the_api(api_client, finance_user):
    customer = CustomerFactory()
    a = make_invoice(customer, "100.00")
    b = make_invoice(customer, "50.00")
    response = _as(api_client, finance_user).post(
        "/api/v1/payments/",
        {
            "customer": customer.pk,
            "amount": "160.00",
            "allocations": [{"invoice": a.pk, "amount": "100.00"}, {"invoice": b.pk, "amount": "50.00"}],
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    assert response.data["unallocated_amount"] == "10.00"
    assert len(response.data["allocations"]) == 2


def test_paying_a_cancelled_invoice_through_the_api_is_a_400_naming_the_field(api_client, finance_user):
    customer = CustomerFactory()
    invoice = make_invoice(customer, "100.00")
    services.invoice_cancel(invoice=invoice, reason="作废", user=None)
    response = _as(api_client, finance_user).post(
        "/api/v1/payments/",
        {
            "customer": customer.pk,
            "amount": "100.00",
            "allocations": [{"invoice": invoice.pk, "amount": "100.00"}],
        },
        format="json",
    )
    assert response.status_code == 400
    assert "allocations" in response.data
    assert not Payment.objects.exists()


def test_negative_payment_through_the_api_names_amount(api_client, finance_user):
    response = _as(api_client, finance_user).post(
        "/api/v1/payments/", {"customer": CustomerFactory().pk, "amount": "-1"}, format="json"
    )
    assert response.status_code == 400
    assert "amount" in response.data


def test_credit_note_through_the_api_capped(api_client, finance_user):
    invoice = make_invoice(CustomerFactory(), "100.00")
    client = _as(api_client, finance_user)
    too_much = client.post(
        "/api/v1/credit-notes/",
        {
            "invoice": invoice.pk,
            "reason": "退货",
            "lines": [{"description": "x", "quantity": "1", "unit_price": "101"}],
        },
        format="json",
    )
    assert too_much.status_code == 400
    assert "lines" in too_much.data
    ok = client.post(
        "/api/v1/credit-notes/",
        {
            "invoice": invoice.pk,
            "reason": "退货",
            "lines": [{"description": "x", "quantity": "1", "unit_price": "40"}],
        },
        format="json",
    )
    assert ok.status_code == 201
    assert CreditNote.objects.get().total == D("40.00")


def test_cancel_through_the_api(api_client, finance_user):
    invoice = make_invoice(CustomerFactory(), "100.00")
    response = _as(api_client, finance_user).post(
        f"/api/v1/invoices/{invoice.pk}/cancel/", {"reason": "重复"}, format="json"
    )
    assert response.status_code == 200
    assert response.data["state"] == "cancelled"


def test_aging_and_statement_through_the_api(api_client, manager_user):
    customer = CustomerFactory(payment_terms_days=0)
    make_invoice(customer, "100.00")
    client = _as(api_client, manager_user)
    aging = client.get("/api/v1/receivables/aging/?as_of=2026-03-01")
    assert aging.status_code == 200
    assert aging.data["totals"]["d31_60"] == "100.00"  # due 2026-01-10, 50 days past due
    statement = client.get(
        f"/api/v1/receivables/{customer.pk}/statement/?date_from=2026-01-01&date_to=2026-12-31"
    )
    assert statement.status_code == 200
    assert statement.data["closing_balance"] == "100.00"
    assert statement.data["entries"][0]["kind"] == "invoice"


def test_customer_balance_through_the_api_includes_exposure(api_client, finance_user):
    customer = CustomerFactory(credit_limit=D("500.00"))
    make_invoice(customer, "100.00")
    response = _as(api_client, finance_user).get(f"/api/v1/receivables/{customer.pk}/balance/")
    assert response.status_code == 200
    assert response.data["open"] == "100.00"
    assert response.data["exposure"]["available"] == "400.00"


def _money_values(data, names):
    """Every value under one of ``names`` anywhere in ``data`` (nested dicts and lists)."""
    if isinstance(data, dict):
        found = [v for k, v in data.items() if k in names and not isinstance(v, dict | list)]
        return found + [x for v in data.values() for x in _money_values(v, names)]
    if isinstance(data, list):
        return [x for v in data for x in _money_values(v, names)]
    return []


AGING_MONEY = {"current", "d1_30", "d31_60", "d61_90", "over_90", "total"}
BALANCE_MONEY = {"open", "overdue", "unapplied_credit", "balance", "limit", "receivables", "open_orders"}
STATEMENT_MONEY = {"opening_balance", "debit", "credit", "balance", "total_debit", "total_credit"}
STATEMENT_MONEY |= {"closing_balance"}


def test_aging_gives_money_as_strings(api_client, manager_user):
    make_invoice(CustomerFactory(payment_terms_days=0), "100.00")
    body = _as(api_client, manager_user).get("/api/v1/receivables/aging/?as_of=2026-03-01").json()
    assert body["customers"][0]["d31_60"] == "100.00"
    assert body["totals"]["total"] == "100.00"
    values = _money_values(body, AGING_MONEY)
    assert len(values) == 12 and all(isinstance(v, str) for v in values), values


def test_customer_balance_gives_money_as_strings(api_client, finance_user):
    customer = CustomerFactory(credit_limit=D("500.00"))
    make_invoice(customer, "100.00")
    body = _as(api_client, finance_user).get(f"/api/v1/receivables/{customer.pk}/balance/").json()
    assert body["balance"] == "100.00" and body["exposure"]["available"] == "400.00"
    values = _money_values(body, BALANCE_MONEY | {"available"})
    assert len(values) == 8 and all(isinstance(v, str) for v in values), values


def test_customer_balance_without_a_credit_limit_has_no_limit(api_client, finance_user):
    customer = CustomerFactory(credit_limit=D("0"))
    body = _as(api_client, finance_user).get(f"/api/v1/receivables/{customer.pk}/balance/").json()
    assert body["exposure"]["limit"] is None and body["exposure"]["available"] is None
    assert body["exposure"]["receivables"] == "0.00"


def test_statement_gives_money_as_strings(api_client, manager_user):
    customer = CustomerFactory(payment_terms_days=0)
    make_invoice(customer, "100.00")
    body = (
        _as(api_client, manager_user)
        .get(f"/api/v1/receivables/{customer.pk}/statement/?date_from=2026-01-01&date_to=2026-12-31")
        .json()
    )
    assert body["entries"][0]["debit"] == "100.00" and body["closing_balance"] == "100.00"
    values = _money_values(body, STATEMENT_MONEY)
    assert len(values) == 7 and all(isinstance(v, str) for v in values), values


@pytest.mark.parametrize("pk", ["abc", "²", "1" * 20])
def test_receivables_answer_404_for_an_id_that_is_no_customer(api_client, finance_user, pk):
    client = _as(api_client, finance_user)
    assert client.get(f"/api/v1/receivables/{pk}/balance/").status_code == 404
    assert client.get(f"/api/v1/receivables/{pk}/statement/").status_code == 404


def test_receivables_schema_types_money_as_decimal_strings():
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    components = schema["components"]["schemas"]
    for name, fields in (
        ("Aging", {"totals"}),
        ("AgingTotals", AGING_MONEY),
        ("AgingCustomer", AGING_MONEY),
        ("CustomerBalance", BALANCE_MONEY - {"limit", "receivables", "open_orders"}),
        ("CreditExposure", {"limit", "receivables", "open_orders", "available"}),
        ("Statement", {"opening_balance", "total_debit", "total_credit", "closing_balance"}),
        ("StatementEntry", {"debit", "credit", "balance"}),
    ):
        properties = components[name]["properties"]
        for field in fields - {"totals"}:
            typed = (properties[field]["type"], properties[field]["format"])
            assert typed == ("string", "decimal"), (name, field)
    balance = schema["paths"]["/api/v1/receivables/{id}/balance/"]["get"]["responses"]["200"]
    assert balance["content"]["application/json"]["schema"]["$ref"].endswith("/CustomerBalance")


def test_payment_api_list_queries_are_fixed(api_client, finance_user, django_assert_max_num_queries):
    for _ in range(20):
        customer = CustomerFactory()
        make_invoice(customer, "10.00")
        payments.payment_record(customer=customer, amount="10.00")
    with django_assert_max_num_queries(8):
        response = _as(api_client, finance_user).get("/api/v1/payments/")
    assert response.data["count"] == 20
