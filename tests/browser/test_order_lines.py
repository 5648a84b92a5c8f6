"""Order lines as a rep enters them, in a real browser: picking a product and typing a quantity
shows its price, amount, the order's total and the promise date before saving; a quantity above
what is free shows the shortage warning with its choices; the confirmed order's page shows where
each line is held and when its backorder is expected (screenshots in test-artifacts/)."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from tests.browser.conftest import DESKTOP, login
from tests.browser.picker_steps import pick

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def world(sales_user):
    from scm.inventory.models import IncomingSupply
    from scm.inventory.services import stock_receive
    from tests.crm.sales.factories import CustomerFactory
    from tests.scm.inventory.factories import ProductFactory, ProductUnitFactory, WarehouseFactory

    bj = WarehouseFactory(code="BJ", name="北京仓", transfer_days=2)
    sh = WarehouseFactory(code="SH", name="上海仓", transfer_days=2)
    WarehouseFactory(code="GZ", name="广州仓", transfer_days=3)
    customer = CustomerFactory(name="华通贸易有限公司", owner=sales_user, credit_limit=0)
    printer = ProductFactory(
        sku="PR-M428",
        name="激光打印机 M428",
        list_price=Decimal("2599.00"),
        tax_rate=Decimal("0.13"),
        lead_time_days=14,
    )
    toner = ProductFactory(
        sku="TN-CF226A",
        name="硒鼓 CF226A",
        list_price=Decimal("420.00"),
        tax_rate=Decimal("0.13"),
        lead_time_days=7,
    )
    ProductUnitFactory(product=toner, name="箱", factor=Decimal("10"))
    stock_receive(product=printer, warehouse=bj, quantity=6, reference="OPEN")
    stock_receive(product=printer, warehouse=sh, quantity=2, reference="OPEN")
    stock_receive(product=toner, warehouse=sh, quantity=80, reference="OPEN")
    incoming = timezone.localdate() + timedelta(days=6)
    IncomingSupply.objects.create(
        reference="PO-DEMO-1", product=printer, warehouse=bj, quantity=20, expected_date=incoming
    )
    return {"customer": customer, "printer": printer, "toner": toner, "incoming": incoming, "bj": bj}


def test_a_rep_sees_price_amount_total_and_promise_date_before_saving(
    open_page, screenshot, sales_user, world
):
    page = open_page(DESKTOP)
    login(page, sales_user.username)
    page.goto(f"/sales/orders/new/?customer={world['customer'].pk}")

    pick(page, "id_lines-0-product", "PR-M428", world["printer"].pk)
    page.locator("#atp-lines-0 [data-testid=atp]").wait_for()
    page.locator("#id_lines-0-quantity").press_sequentially("3")
    page.locator("#amount-lines-0 [data-line-amount=net]", has_text="7,797.00").wait_for()
    assert "2,599.00" in page.inner_text("#price-lines-0")
    page.locator("[data-total=total]", has_text="8,810.61").wait_for()
    today = timezone.localdate().isoformat()
    page.locator(f"#atp-lines-0 [data-promise-date='{today}']").wait_for()
    assert page.locator("[data-testid=shortage-warning]").count() == 0

    # Ten printers: 8 free (6 in 北京, 2 in 上海), 20 arriving in 北京 in six days.
    page.fill("#id_lines-0-quantity", "")
    page.locator("#id_lines-0-quantity").press_sequentially("10")
    page.locator("[data-testid=shortage-warning]").wait_for()
    page.locator(f"#atp-lines-0 [data-promise-date='{world['incoming'].isoformat()}']").wait_for()
    assert page.locator("[data-testid=shortage-choices] [data-choice]").count() >= 2
    # A second line, in boxes of 10 toner cartridges.
    page.click("[data-testid=add-line]")
    pick(page, "id_lines-1-product", "TN-CF226A", world["toner"].pk)
    page.locator("#id_lines-1-unit option", has_text="箱").wait_for(state="attached")
    page.select_option("#id_lines-1-unit", label="箱 (×10)")
    page.locator("#id_lines-1-quantity").press_sequentially("2")
    page.locator("#amount-lines-1 [data-line-amount=net]", has_text="8,400.00").wait_for()
    screenshot(page, "order-lines-shortage")

    # Wait and ship complete: the choice sets the order's field.
    page.click("[data-testid=shortage-choices] [data-choice=wait]")
    page.locator("[data-testid=shortage-choices] [data-choice=wait].btn-primary").wait_for()
    assert page.input_value("#id_ship_complete") == "1"
    page.click("[data-testid=save]")
    page.wait_for_url("**/sales/orders/*/")
    assert world["incoming"].isoformat() in page.locator(
        "[data-testid=order-lines] [data-promise-date]"
    ).first.get_attribute("data-promise-date")

    page.click("[data-action=confirm]")
    page.locator("[data-testid=order-lines] [data-held]").first.wait_for()
    page.locator("[data-backorder-expected]").first.wait_for()
    screenshot(page, "order-lines-confirmed")
