from decimal import Decimal

import pytest
from django.template.loader import render_to_string

from crm.customers.panels import panels_for
from finance import payments, services
from tests.finance.factories import CustomerFactory, make_invoice

pytestmark = pytest.mark.django_db


def _balance_panel(customer, user):
    return next((p for p in panels_for(customer, user) if p["key"] == "balance"), None)


def test_balance_panel_shows_balance_overdue_and_exposure(finance_user):
    customer = CustomerFactory(credit_limit=Decimal("1000.00"), payment_terms_days=10)
    invoice = make_invoice(customer, "300.00")  # issued 2026-01-10, long overdue
    payments.payment_record(customer=customer, amount="100.00")
    panel = _balance_panel(customer, finance_user)
    assert panel["balance"]["balance"] == Decimal("200.00")
    assert panel["balance"]["overdue"] == Decimal("200.00")
    assert panel["exposure"]["available"] == Decimal("800.00")
    assert panel["last_invoices"] == [invoice]
    html = render_to_string(panel["template"], panel)
    assert invoice.number in html


def test_balance_panel_is_not_shown_to_the_warehouse(warehouse_user):
    assert _balance_panel(CustomerFactory(), warehouse_user) is None


def test_balance_panel_hides_figures_of_other_reps_customers(sales_user):
    customer = CustomerFactory()
    make_invoice(customer)
    panel = _balance_panel(customer, sales_user)
    assert panel["hidden"] is True
    assert "balance" not in panel


def test_customer_timeline_lists_invoices_payments_and_credit_notes(finance_user):
    from crm.customers.panels import timeline_for
    from tests.finance.factories import line

    customer = CustomerFactory()
    invoice = make_invoice(customer, "100.00")
    payments.payment_record(customer=customer, amount="50.00")
    services.credit_note_create(invoice=invoice, lines=[line("10.00")], reason="折让")
    kinds = sorted(e["kind"] for e in timeline_for(customer, finance_user) if e["kind"] != "")
    assert kinds == ["credit_note", "invoice", "payment"]


def test_customer_timeline_labels_finance_entries_in_chinese(finance_user):
    from django.utils import translation

    from crm.customers.panels import timeline_for
    from tests.finance.factories import line

    customer = CustomerFactory()
    invoice = make_invoice(customer, "100.00")
    payments.payment_record(customer=customer, amount="50.00", method="bank_transfer")
    services.credit_note_create(invoice=invoice, lines=[line("10.00")], reason="折让")
    with translation.override("zh-hans"):
        entries = {e["kind"]: e for e in timeline_for(customer, finance_user)}
        labels = {kind: str(e["kind_label"]) for kind, e in entries.items()}
        method = str(entries["payment"]["body"])
    assert labels == {"invoice": "发票", "payment": "收款", "credit_note": "红字发票"}
    assert method == "银行转账"


def test_customer_timeline_is_empty_for_another_reps_customer(sales_user):
    from crm.customers.panels import timeline_for

    customer = CustomerFactory()
    make_invoice(customer)
    assert timeline_for(customer, sales_user) == []
