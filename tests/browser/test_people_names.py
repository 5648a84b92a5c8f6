"""People by name and names in pinyin order, in a real browser, in Chinese (screenshots in
test-artifacts/): the customer list sorted by name, and an order page naming its owner."""

import pytest

from tests.browser.conftest import DESKTOP, login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NAMES = ["张伟贸易", "李娜商行", "王芳超市", "阿强五金"]
BY_PINYIN = ["阿强五金", "李娜商行", "王芳超市", "张伟贸易"]


@pytest.fixture
def rep():
    from tests.factories import UserFactory

    return UserFactory(username="u_zhangwei", last_name="张", first_name="伟", roles=["sales"])


def test_the_customer_list_sorted_by_name_reads_in_pinyin_order(open_page, screenshot, rep):
    from tests.crm.customers.factories import CustomerFactory

    for name in NAMES:
        CustomerFactory(name=name, owner=rep)
    page = open_page(DESKTOP)
    login(page, "u_zhangwei")
    page.goto("/customers/?ordering=name")
    rows = page.locator("[data-testid=customer-table] tbody tr")
    names = [rows.nth(i).locator("td").nth(1).inner_text().strip() for i in range(rows.count())]
    screenshot(page, "customers-by-name")
    assert names == BY_PINYIN
    assert "u_zhangwei" not in page.content()
    assert page.locator("[data-testid=user-menu]").inner_text().strip() == "张伟"


def test_an_order_page_names_its_owner(open_page, screenshot, rep):
    from crm.sales.orders import services
    from tests.crm.customers.factories import CustomerFactory
    from tests.scm.inventory.factories import ProductFactory

    product = ProductFactory(name="绿茶 500ml")
    order = services.order_create(
        customer=CustomerFactory(name="阿强五金", owner=rep),
        owner=rep,
        lines=[{"product": product, "quantity": "2"}],
    )
    page = open_page(DESKTOP)
    login(page, "u_zhangwei")
    page.goto(f"/sales/orders/{order.pk}/")
    screenshot(page, "order-owner")
    main = page.locator("main").inner_text()
    assert "张伟" in main
    assert "u_zhangwei" not in page.content()
