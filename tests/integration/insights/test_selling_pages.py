from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse

from crm.sales.models import Quote
from integration.insights.models import PurchaseCycle
from tests.crm.sales.factories import CustomerFactory
from tests.scm.inventory.factories import ProductFactory

pytestmark = pytest.mark.django_db
CYCLES = reverse("selling:cycles")
SUGGESTIONS = reverse("selling:form_suggestions")


def test_the_cycles_page_shows_the_reps_customers_due_with_their_task(client, selling_world):
    w = selling_world
    client.force_login(w.rep)

    page = client.get(CYCLES).content.decode()

    assert w.customer.name in page and w.other.name not in page
    assert "A4 复印纸" in page
    assert (w.today + timedelta(days=12)).strftime("%Y") in page
    assert reverse("sales:tasks") in page  # the follow-up task made for it


def test_a_manager_sees_every_customers_cycles(client, selling_world, manager_user):
    client.force_login(manager_user)

    page = client.get(CYCLES, {"show": "all"}).content.decode()

    assert selling_world.customer.name in page and selling_world.other.name in page


def test_cycles_not_due_are_shown_with_all(client, selling_world):
    w = selling_world
    PurchaseCycle.objects.update(expected_date=w.today + timedelta(days=60))
    client.force_login(w.rep)

    assert w.customer.name not in client.get(CYCLES).content.decode()
    assert w.customer.name in client.get(CYCLES, {"show": "all"}).content.decode()


def _more_cycles(rep, count):
    for n in range(count):
        customer = CustomerFactory(owner=rep)
        PurchaseCycle.objects.create(
            customer=customer,
            product=ProductFactory(),
            item_key=f"p-extra{n}",
            kind="interval",
            interval_days=30,
            occurrences=5,
            expected_date=PurchaseCycle.objects.first().expected_date,
            confidence=Decimal("0.8"),
            last_quantity=1,
            last_order_date=PurchaseCycle.objects.first().last_order_date,
            refreshed_at=PurchaseCycle.objects.first().refreshed_at,
        )


@pytest.mark.parametrize("extra", [0, 20])
def test_the_cycles_page_takes_a_fixed_number_of_queries(
    client, selling_world, extra, django_assert_max_num_queries
):
    _more_cycles(selling_world.rep, extra)
    client.force_login(selling_world.rep)

    with django_assert_max_num_queries(14):
        response = client.get(CYCLES)

    assert response.status_code == 200


def test_the_order_form_panel_offers_what_goes_with_the_customers_printer(client, selling_world):
    w = selling_world
    client.force_login(w.rep)

    page = client.get(SUGGESTIONS, {"customer": w.customer.pk, "kind": "order"}).content.decode()

    assert "硒鼓 CF226A" in page
    assert f"{reverse('sales:orders:line_row')}?product={w.toner.pk}&amp;quantity=1" in page
    assert reverse("selling:quote_from_suggestion", args=[w.customer.pk]) in page


def test_the_order_form_panel_leaves_out_products_on_the_form(client, selling_world):
    w = selling_world
    client.force_login(w.rep)

    page = client.get(
        SUGGESTIONS, {"customer": w.customer.pk, "lines-0-product": w.toner.pk}
    ).content.decode()

    assert "硒鼓 CF226A" not in page


def test_the_quote_form_panel_only_adds_lines(client, selling_world):
    w = selling_world
    client.force_login(w.rep)

    page = client.get(SUGGESTIONS, {"customer": w.customer.pk, "kind": "quote"}).content.decode()

    assert "硒鼓 CF226A" in page
    assert reverse("selling:quote_from_suggestion", args=[w.customer.pk]) not in page


def test_the_order_form_panel_says_nothing_of_another_reps_customer(client, selling_world):
    w = selling_world
    client.force_login(w.rep)

    response = client.get(SUGGESTIONS, {"customer": w.other.pk})

    assert response.status_code == 200 and "硒鼓" not in response.content.decode()
    assert client.get(SUGGESTIONS, {"customer": "²"}).status_code == 200


def test_one_click_makes_a_quote_with_the_suggested_line(client, selling_world):
    w = selling_world
    client.force_login(w.rep)

    response = client.post(
        reverse("selling:quote_from_suggestion", args=[w.customer.pk]),
        {"product": w.toner.pk, "quantity": "2"},
    )

    quote = Quote.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "sales:orders:quote_edit", args=[quote.pk]
    )
    assert (quote.customer, quote.owner, quote.state) == (w.customer, w.rep, "draft")
    assert [(line.product, line.quantity) for line in quote.lines.all()] == [(w.toner, Decimal("2"))]


def test_no_quote_for_another_reps_customer(client, selling_world):
    w = selling_world
    client.force_login(w.rep)

    response = client.post(
        reverse("selling:quote_from_suggestion", args=[w.other.pk]), {"product": w.toner.pk}
    )

    assert response.status_code == 404 and not Quote.objects.exists()


@pytest.mark.parametrize(
    "product, quantity", [("²", "1"), ("987654", "1"), ("toner", "NaN"), ("toner", "-1")]
)
def test_a_bad_line_makes_no_quote_and_says_why(client, selling_world, product, quantity):
    w = selling_world
    client.force_login(w.rep)
    back = reverse("customers:detail", args=[w.customer.pk])

    response = client.post(
        reverse("selling:quote_from_suggestion", args=[w.customer.pk]),
        {"product": w.toner.pk if product == "toner" else product, "quantity": quantity, "next": back},
        follow=True,
    )

    assert response.redirect_chain[-1][0] == back
    assert not Quote.objects.exists()
    assert list(response.context["messages"])


def test_the_customer_page_shows_suggestions_and_cycles(client, selling_world):
    w = selling_world
    client.force_login(w.rep)

    page = client.get(reverse("customers:detail", args=[w.customer.pk])).content.decode()

    assert 'data-panel="insights.cross_sell"' in page and "硒鼓 CF226A" in page
    assert 'data-panel="insights.cycles"' in page and "A4 复印纸" in page
