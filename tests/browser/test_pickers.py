"""The pickers in a real browser, on the order form: the customer picker finds customers by
their pinyin initials and is worked with the arrow keys and Enter; the product picker takes a
scan (a barcode typed at scanner speed and Enter) and picks its product at once, a box barcode
its unit too."""

from decimal import Decimal

import pytest

from tests.browser.conftest import DESKTOP, TABLET, login
from tests.browser.picker_steps import pick, picker_input

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def order_world(sales_user):
    from tests.crm.customers.factories import CustomerFactory
    from tests.scm.inventory.factories import ProductFactory, ProductUnitFactory, WarehouseFactory

    WarehouseFactory(code="BJ", name="北京仓")
    zhang = CustomerFactory(owner=sales_user, code="C-0001", name="张伟商贸有限公司", phone="13911112222")
    zhou = CustomerFactory(owner=sales_user, code="C-0002", name="周文五金有限公司", phone="13933334444")
    CustomerFactory(owner=sales_user, code="C-0003", name="李芳电子有限公司")
    water = ProductFactory(
        sku="WTR-550", name="矿泉水 550ml", barcode="6901234567892", list_price=Decimal("2.50")
    )
    box = ProductUnitFactory(product=water, name="箱", factor=24, barcode="16901234567899")
    tea = ProductFactory(sku="TEA-250", name="乌龙茶 250ml", barcode="6907654321098")
    return {"zhang": zhang, "zhou": zhou, "water": water, "box": box, "tea": tea}


def _value(page, select_id):
    return page.locator(f"#{select_id}").input_value()


def test_the_customer_picker_finds_by_initials_and_arrow_down_enter_picks(
    sales_user, order_world, open_page, screenshot
):
    page = open_page(DESKTOP)
    login(page, sales_user.username)
    page.goto("/sales/orders/new/")
    field = picker_input(page, "id_customer")
    field.click()
    field.press_sequentially("zw", delay=40)
    dropdown = page.locator("#id_customer-ts-dropdown")
    dropdown.locator(f'.option[data-value="{order_world["zhou"].pk}"]').wait_for()
    # 张伟 (zhangwei) comes before 周文 (zhouwen): the first is active, one ArrowDown the second.
    assert "李芳" not in dropdown.inner_text()
    assert dropdown.locator(".option").first.get_attribute("data-value") == str(order_world["zhang"].pk)
    screenshot(page, "picker-order-customer-open")
    field.press("ArrowDown")
    field.press("Enter")
    page.wait_for_function(
        "value => document.getElementById('id_customer').value === value", arg=str(order_world["zhou"].pk)
    )
    # Picking the customer loads what the rep sees about it (htmx on the select's change).
    page.locator("#customer-info [data-testid=customer-info]").wait_for()


def test_a_scan_into_the_product_picker_picks_the_product_and_a_box_its_unit(
    sales_user, order_world, open_page, screenshot
):
    page = open_page(DESKTOP)
    login(page, sales_user.username)
    page.goto("/sales/orders/new/")
    # A scanner types fast and ends with Enter, before any answer has come.
    scan = picker_input(page, "id_lines-0-product")
    scan.click()
    scan.press_sequentially("6907654321098", delay=5)
    scan.press("Enter")
    page.wait_for_function(
        "value => document.getElementById('id_lines-0-product').value === value",
        arg=str(order_world["tea"].pk),
    )
    page.locator("#atp-lines-0 table").wait_for()
    assert page.url.endswith("/sales/orders/new/")  # Enter did not submit the form

    box = picker_input(page, "id_lines-1-product")
    box.click()
    box.press_sequentially("16901234567899", delay=5)
    box.press("Enter")
    page.wait_for_function(
        "value => document.getElementById('id_lines-1-product').value === value",
        arg=str(order_world["water"].pk),
    )
    page.wait_for_function(
        "value => document.getElementById('id_lines-1-unit').value === value", arg=str(order_world["box"].pk)
    )
    # The product picker opened on its matches: the screenshot shows it over the form.
    typed = picker_input(page, "id_lines-2-product")
    typed.click()
    typed.press_sequentially("kqs", delay=40)
    page.locator(
        f'#id_lines-2-product-ts-dropdown .option[data-value="{order_world["water"].pk}"]'
    ).wait_for()
    screenshot(page, "picker-order-product-open")


def test_a_list_filter_picker_keeps_its_choice_in_the_address(open_page, screenshot):
    from scm.purchasing import orders
    from tests.factories import UserFactory
    from tests.scm.inventory.factories import ProductFactory, WarehouseFactory
    from tests.scm.purchasing.factories import SupplierFactory

    warehouse = WarehouseFactory(code="SH", name="上海仓")
    buyer = UserFactory(roles=["purchasing"], username="buyer-a", first_name="伟", last_name="张")
    other = UserFactory(roles=["purchasing"], username="buyer-b", first_name="芳", last_name="李")
    product = ProductFactory(sku="CUP-01", name="纸杯")
    shenhua = SupplierFactory(name="上海申华贸易有限公司", default_warehouse=warehouse)
    huatong = SupplierFactory(name="北京华通物流有限公司", default_warehouse=warehouse)
    for owner, supplier in ((buyer, shenhua), (other, huatong)):
        orders.purchase_order_create(
            supplier=supplier, user=owner, lines=[{"product": product, "quantity": "5", "unit_price": "0.5"}]
        )
    page = open_page(DESKTOP)
    login(page, buyer.username)
    page.goto("/purchasing/orders/")
    pick(page, "po-buyer", "zw", buyer.pk)
    pick(page, "po-supplier", "shsh", shenhua.pk)
    with page.expect_navigation():
        page.click("form.list-toolbar button[type=submit]")
    assert f"buyer={buyer.pk}" in page.url and f"supplier={shenhua.pk}" in page.url
    # The page comes back with both choices shown by name, and the one order they filter to.
    assert "张伟" in page.locator("#po-buyer + .ts-wrapper").inner_text()
    assert "上海申华" in page.locator("#po-supplier + .ts-wrapper").inner_text()
    assert page.locator("[data-testid=po-list] tbody tr").count() == 1
    screenshot(page, "picker-list-filter")


def test_a_ticket_is_assigned_by_typing_the_engineers_initials(open_page, screenshot):
    from crm.service.models import Ticket
    from tests.crm.service.factories import EngineerFactory, ServiceTeamFactory, TicketFactory
    from tests.factories import UserFactory

    desk = UserFactory(roles=["service"], first_name="敏", last_name="赵")
    team = ServiceTeamFactory(name="上门组")
    wang = EngineerFactory(user=UserFactory(roles=["service"], first_name="伟", last_name="王"), team=team)
    EngineerFactory(user=UserFactory(roles=["service"], first_name="芳", last_name="李"), team=team)
    ticket = TicketFactory(subject="打印机卡纸")
    page = open_page(TABLET)
    login(page, desk.username)
    page.goto(f"/service/tickets/{ticket.pk}/")
    pick(page, "id_assignee", "ww", wang.user_id)
    screenshot(page, "ticket-assign-picked")
    page.locator("[data-testid=ticket-assign] button[type=submit]").click()
    page.wait_for_load_state()
    assert Ticket.objects.get(pk=ticket.pk).assignee_id == wang.user_id
