"""Users and roles in a real browser: the list with an invited colleague, the deactivation dialog
that hands a rep's customers to a colleague, and an invited person choosing a password
(screenshots in test-artifacts/)."""

import pytest

from crm.customers.models import Customer
from integration.setup.invites import invite_path
from tests.browser.conftest import DESKTOP, login
from tests.browser.picker_steps import pick
from tests.crm.customers.factories import CustomerFactory
from tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def people(db):
    admin = UserFactory(roles=["admin"], username="boss", first_name="洋", last_name="黄")
    leaving = UserFactory(roles=["sales"], username="rep-a", first_name="伟", last_name="张")
    staying = UserFactory(roles=["sales"], username="rep-b", first_name="芳", last_name="李")
    CustomerFactory.create_batch(3, owner=leaving)
    from integration.setup import users

    invited = users.user_invite(
        actor=admin, email="zhaomin@example.com", first_name="敏", last_name="赵", roles=["warehouse"]
    )
    return {"admin": admin, "leaving": leaving, "staying": staying, "invited": invited}


def test_an_admin_deactivates_a_rep_and_hands_their_customers_to_a_colleague(open_page, screenshot, people):
    page = open_page(DESKTOP)
    login(page, "boss")
    page.goto("/setup/users/")
    page.wait_for_selector("[data-testid=user-table]")
    assert page.locator("[data-status=invited]").count() == 1
    screenshot(page, "setup-users-list")

    page.click(f"[data-user='{people['leaving'].pk}'] a")
    page.click("[data-testid=deactivate]")
    dialog = page.locator("#deactivate-dialog")
    dialog.wait_for(state="visible")
    assert "3" in dialog.locator("[data-testid=owned-records]").inner_text()
    pick(page, "id_to_user", "lf", people["staying"].pk)  # 李芳 by her initials
    screenshot(page, "setup-user-deactivate-dialog")
    dialog.locator("[data-testid=deactivate-submit]").click()
    page.wait_for_selector("[data-status=inactive]")
    screenshot(page, "setup-user-deactivated")
    assert Customer.objects.filter(owner=people["staying"]).count() == 3


def test_an_invited_person_chooses_a_password_and_is_signed_in(open_page, screenshot, people):
    page = open_page(DESKTOP)
    page.goto(invite_path(people["invited"]))
    page.wait_for_selector("[data-testid=set-password-form]")
    screenshot(page, "setup-set-password")
    page.fill("#id_new_password1", "Lantern-Harbour-42")
    page.fill("#id_new_password2", "Lantern-Harbour-42")
    page.click("[data-testid=set-password-submit]")
    page.wait_for_selector("[data-testid=main-nav]", state="attached")
    assert "赵敏" in page.locator("#messages").inner_text()  # welcomed on the home page
