"""The interactive API docs work with the Content Security Policy on: Swagger UI's files come
from the installed sidecar package and its start-up script from a URL of its own, nothing
inline, so the browser blocks nothing."""

import pytest

from tests.browser.conftest import DESKTOP, login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_api_docs_list_the_operations_without_a_csp_violation(sales_user, open_page, screenshot):
    page = open_page(DESKTOP)
    console, errors = [], []
    page.on("console", lambda message: console.append(f"{message.type}: {message.text}"))
    page.on("pageerror", lambda error: errors.append(str(error)))
    # Anything the policy blocks (a script, a style, an image) raises this event: log it.
    page.add_init_script(
        "document.addEventListener('securitypolicyviolation',"
        " e => console.error('CSP violation: ' + e.violatedDirective + ' ' + e.blockedURI))"
    )
    login(page, sales_user.username)

    page.goto("/api/v1/docs/")
    page.locator(".opblock").first.wait_for()
    # Swagger UI renders the operations near the viewport: scroll down to the orders.
    orders = page.locator('.opblock-summary-path[data-path="/api/v1/sales-orders/"]')
    for _ in range(100):
        if orders.count():
            break
        page.mouse.wheel(0, 1000)
        page.wait_for_timeout(100)
    orders.first.scroll_into_view_if_needed()
    assert orders.first.inner_text() == "/api/v1/sales-orders/"
    orders.first.click()  # the operation opens: its parameters are listed
    page.locator(".opblock.is-open .parameters-container").first.wait_for()
    screenshot(page, "api-docs-sales-orders")

    assert [line for line in console if "CSP" in line or "Content Security Policy" in line] == []
    assert errors == []
