"""The order and quote forms' live lines (``line_views.totals_partial``): price, amount, tax,
totals, availability with incoming receipts, the promise date and the shortage warning, shown
before saving — and equal to what saving writes (``document_lines`` computes both)."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from crm.sales.models import Quote, SalesOrder
from crm.sales.orders import quote_services
from crm.sales.orders import services as order_services
from scm.inventory.models import IncomingSupply
from scm.inventory.services import stock_receive
from tests.crm.sales.factories import CustomerFactory
from tests.crm.sales.prices.factories import order_discount, price_list
from tests.scm.inventory.factories import ProductFactory, ProductUnitFactory, WarehouseFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("in_english")]

TODAY = timezone.localdate()
IN_7_DAYS = TODAY + timedelta(days=7)
MONEY = r"(−?¥[\d,]+\.\d\d)"


def amount(text: str) -> Decimal:
    return Decimal(text.replace("¥", "").replace(",", "").replace("−", "-"))


def live(body: str) -> dict:
    """The figures a live answer shows: totals, and per line prefix its net, tax and promise."""
    totals = {name: amount(value) for name, value in re.findall(rf'data-total="(\w+)">{MONEY}<', body)}
    lines = {}
    for prefix, net, tax in re.findall(
        rf'id="amount-(lines-\d+)"[^>]*>.*?data-line-amount="net">{MONEY}<.*?data-line-amount="tax">\D*{MONEY}<',
        body,
        re.S,
    ):
        lines[prefix] = {"net": amount(net), "tax": amount(tax)}
    for prefix, day in re.findall(r'id="atp-(lines-\d+)".*?data-promise-date="([\d-]*)"', body, re.S):
        lines.setdefault(prefix, {})["promise"] = day
    return {"totals": totals, "lines": lines}


@pytest.fixture
def world(sales_user):
    bj = WarehouseFactory(code="BJ", name="北京仓", transfer_days=2)
    sh = WarehouseFactory(code="SH", name="上海仓", transfer_days=3)
    customer = CustomerFactory(owner=sales_user, credit_limit=0)
    cable = ProductFactory(list_price=Decimal("10.00"), tax_rate=Decimal("0.13"), lead_time_days=20)
    box = ProductUnitFactory(product=cable, name="箱", factor=Decimal("12"))
    printer = ProductFactory(list_price=Decimal("1000.00"), tax_rate=Decimal("0.13"), lead_time_days=20)
    stock_receive(product=cable, warehouse=sh, quantity=100)
    stock_receive(product=printer, warehouse=bj, quantity=4)
    IncomingSupply.objects.create(
        reference="PO-1", product=printer, warehouse=sh, quantity=20, expected_date=IN_7_DAYS
    )
    return {
        "bj": bj,
        "sh": sh,
        "customer": customer,
        "cable": cable,
        "box": box,
        "printer": printer,
        "rep": sales_user,
    }


def form_data(world, *lines, **header):
    """The order form's fields: ``lines`` are (product, quantity[, unit])."""
    data = {
        "customer": world["customer"].pk,
        "lines-TOTAL_FORMS": str(len(lines)),
        "lines-INITIAL_FORMS": "0",
    }
    for i, (product, quantity, *unit) in enumerate(lines):
        data[f"lines-{i}-product"] = product.pk
        data[f"lines-{i}-quantity"] = quantity
        data[f"lines-{i}-unit"] = unit[0].pk if unit else ""
    data.update(header)
    return data


def test_the_live_figures_equal_the_saved_orders(client, world):
    # A customer price list per box, an order promotion (10% from 10,000) and a unit conversion.
    price_list(customer=world["customer"], lines=[(world["cable"], "96.00", 0, world["box"])])
    order_discount(threshold="10000", percent="10")
    client.force_login(world["rep"])
    data = form_data(world, (world["cable"], "3", world["box"]), (world["printer"], "10"))

    shown = live(client.post(reverse("sales:orders:totals"), data).content.decode())
    response = client.post(reverse("sales:orders:order_create"), data)

    assert response.status_code == 302
    order = SalesOrder.objects.get()
    assert shown["totals"] == {
        "promotion": -order.promotion_discount,
        "subtotal": order.subtotal,
        "tax": order.tax_total,
        "total": order.total,
    }
    assert order.promotion_discount > 0
    saved = list(order.lines.order_by("pk"))
    assert [(s["net"], s["tax"]) for s in shown["lines"].values()] == [
        (ln.net_amount, ln.tax_amount) for ln in saved
    ]
    assert [s["promise"] for s in shown["lines"].values()] == [ln.promise_date.isoformat() for ln in saved]
    assert saved[0].base_quantity == 36 and saved[0].promise_date == TODAY
    # 4 free in BJ, 20 arriving in SH in 7 days: from anywhere, no transfer time.
    assert saved[1].promise_date == IN_7_DAYS


def test_the_live_figures_of_a_quote_equal_the_saved_quotes(client, world):
    client.force_login(world["rep"])
    data = form_data(world, (world["cable"], "2", world["box"]), (world["printer"], "6"), kind="quote")
    shown = live(client.post(reverse("sales:orders:totals"), data).content.decode())
    assert client.post(reverse("sales:orders:quote_create"), data).status_code == 302
    quote = Quote.objects.get()
    assert (shown["totals"]["subtotal"], shown["totals"]["total"]) == (quote.subtotal, quote.total)
    assert [s["promise"] for s in shown["lines"].values()] == [
        ln.promise_date.isoformat() for ln in quote.lines.order_by("pk")
    ]


def test_a_line_shows_availability_per_warehouse_with_incoming_receipts_and_dates(client, world):
    client.force_login(world["rep"])
    body = client.post(
        reverse("sales:orders:totals"), form_data(world, (world["printer"], "2"))
    ).content.decode()
    line = body[body.index('id="atp-lines-0"') :]
    assert re.search(r'data-warehouse="BJ">.*?data-available="4"', line, re.S)
    assert re.search(
        rf'data-warehouse="SH">.*?\+20 · [^<]+<.*?data-can-ship="{IN_7_DAYS.isoformat()}"', line, re.S
    )
    assert f'data-promise-date="{TODAY.isoformat()}"' in line


def test_a_short_line_warns_with_the_three_choices(client, world):
    client.force_login(world["rep"])
    with translation.override("en"):
        body = client.post(
            reverse("sales:orders:totals"), form_data(world, (world["printer"], "10"), (world["cable"], "5"))
        ).content.decode()
    assert 'data-testid="line-shortage"' in body and "Short by 6" in body
    warning = body[body.index('data-testid="shortage-warning"') :]
    assert 'data-choice="partial"' in warning
    assert 'data-choice="wait"' in warning and "Wait and ship complete (" in warning
    # No warehouse holds 10 printers: no "ship from" offer.
    assert 'data-choice="warehouse"' not in warning


def test_the_warning_offers_a_warehouse_that_holds_every_line(client, world):
    stock_receive(product=world["printer"], warehouse=world["sh"], quantity=30)
    client.force_login(world["rep"])
    body = client.post(
        reverse("sales:orders:totals"), form_data(world, (world["printer"], "10"), ship_from=world["bj"].pk)
    ).content.decode()
    choices = re.findall(r'data-choice="warehouse" data-set-field="id_ship_from" data-value="(\d+)"', body)
    assert choices == [str(world["sh"].pk)]


def test_a_ship_from_warehouse_promises_from_there_with_its_transfer_time(client, world):
    client.force_login(world["rep"])
    body = client.post(
        reverse("sales:orders:totals"), form_data(world, (world["cable"], "5"), ship_from=world["bj"].pk)
    ).content.decode()
    # The cables are in SH only: from BJ they wait for the lead time (no receipt is expected).
    assert f'data-promise-date="{(TODAY + timedelta(days=20)).isoformat()}"' in body
    body = client.post(
        reverse("sales:orders:totals"), form_data(world, (world["printer"], "6"), ship_from=world["bj"].pk)
    ).content.decode()
    assert f'data-promise-date="{(IN_7_DAYS + timedelta(days=2)).isoformat()}"' in body


def test_the_quote_form_warns_of_a_shortage_without_the_orders_choices(client, world):
    client.force_login(world["rep"])
    body = client.post(
        reverse("sales:orders:totals"), form_data(world, (world["printer"], "10"), kind="quote")
    ).content.decode()
    assert 'data-testid="shortage-warning"' in body and 'data-testid="shortage-choices"' not in body


def test_the_order_form_saves_the_ship_from_and_ship_complete_choices(client, world):
    client.force_login(world["rep"])
    data = form_data(world, (world["printer"], "3"), ship_from=world["bj"].pk, ship_complete="1")
    assert client.post(reverse("sales:orders:order_create"), data).status_code == 302
    order = SalesOrder.objects.get()
    assert (order.ship_from, order.ship_complete) == (world["bj"], True)
    page = client.get(reverse("sales:orders:order_edit", args=[order.pk])).content.decode()
    assert re.search(rf'<option value="{world["bj"].pk}" selected>', page)


def test_changing_a_drafts_ship_from_promises_its_lines_again(world):
    order = order_services.order_create(
        customer=world["customer"], owner=world["rep"], lines=[{"product": world["printer"], "quantity": 3}]
    )
    assert order.lines.get().promise_date == TODAY
    order_services.order_update(order=order, user=world["rep"], ship_from=world["sh"])
    assert order.lines.get().promise_date == IN_7_DAYS


def test_a_quote_line_keeps_its_promise_date(world):
    quote = quote_services.quote_create(
        customer=world["customer"], owner=world["rep"], lines=[{"product": world["printer"], "quantity": 8}]
    )
    assert quote.lines.get().promise_date == IN_7_DAYS


def test_an_unknown_lead_time_says_ask_purchasing(client, world):
    product = ProductFactory(lead_time_days=None)
    client.force_login(world["rep"])
    with translation.override("en"):
        body = client.post(reverse("sales:orders:totals"), form_data(world, (product, "1"))).content.decode()
    assert 'data-promise-date=""' in body and "ask purchasing" in body


def test_the_live_update_takes_the_same_queries_for_two_lines_and_for_twelve(client, world):
    products = []
    for _ in range(12):
        product = ProductFactory(lead_time_days=5)
        stock_receive(product=product, warehouse=world["bj"], quantity=1)
        IncomingSupply.objects.create(
            reference=f"PO-{product.pk}",
            product=product,
            warehouse=world["sh"],
            quantity=9,
            expected_date=IN_7_DAYS,
        )
        products.append(product)
    client.force_login(world["rep"])

    def post(n):
        data = form_data(world, *[(p, "3") for p in products[:n]], ship_from=world["bj"].pk)
        with CaptureQueriesContext(connection) as queries:
            body = client.post(reverse("sales:orders:totals"), data).content.decode()
        assert body.count('data-testid="line-shortage"') == n
        return len(queries)

    post(1)  # first-request reads
    assert post(2) == post(12)


@pytest.mark.parametrize(
    ("field", "value"),
    [("quantity", "NaN"), ("quantity", "1e30"), ("quantity", "-4"), ("product", "²"), ("unit", "²")],
)
def test_bad_input_to_the_live_lines_leaves_the_line_out_never_a_500(client, world, field, value):
    data = form_data(world, (world["cable"], "2"), (world["printer"], "1"), ship_from="²")
    data[f"lines-1-{field}"] = value
    client.force_login(world["rep"])
    response = client.post(reverse("sales:orders:totals"), data)
    assert response.status_code == 200
    shown = live(response.content.decode())
    assert list(shown["lines"]) == ["lines-0"] and shown["totals"]["subtotal"] == Decimal("20.00")
