"""The customers picker (``crm.customers.pickers``): found by code, name, pinyin and initials,
best match first, under the customer list's record rule."""

import pytest
from django.urls import reverse

from tests.crm.customers.factories import CustomerFactory, TeamFactory
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _ids(client, q="", **params):
    response = client.get(reverse("customer-picker"), {"q": q, **params})
    assert response.status_code == 200
    return [row["id"] for row in response.json()["results"]]


@pytest.mark.parametrize(
    "typed", ["zw", "ZW", "zhangwei", "zhang", "张伟", "张", "C-ZW01", "13912345678", "1391234"]
)
def test_a_customer_is_found_by_initials_pinyin_name_code_and_phone(client, manager_user, typed):
    zhang = CustomerFactory(code="C-ZW01", name="张伟商贸有限公司", phone="13912345678")
    CustomerFactory(code="C-LF01", name="李芳电子", phone="13800000000")
    client.force_login(manager_user)
    assert _ids(client, typed) == [zhang.pk]


def test_the_code_typed_in_full_comes_first_then_names_starting_with_the_query(client, manager_user):
    middle = CustomerFactory(code="X1", name="北京张伟商贸")  # "zhangwei" in the middle of its pinyin
    start = CustomerFactory(code="X2", name="张伟电子")
    code = CustomerFactory(code="ZHANGWEI", name="某某公司")
    client.force_login(manager_user)
    assert _ids(client, "zhangwei") == [code.pk, start.pk, middle.pk]


def test_a_row_carries_the_name_and_the_code_and_phone_under_it(client, manager_user):
    CustomerFactory(code="C-ZW01", name="张伟商贸", phone="13912345678")
    client.force_login(manager_user)
    row = client.get(reverse("customer-picker"), {"q": "zw"}).json()["results"][0]
    assert row["text"] == "张伟商贸" and row["secondary"] == "C-ZW01 · 13912345678"


def test_a_rep_finds_own_and_team_customers_never_another_teams(client):
    rep, mate, stranger = (UserFactory(roles=["sales"]) for _ in range(3))
    TeamFactory(members=[rep, mate])
    TeamFactory(members=[stranger])
    own = CustomerFactory(owner=rep, name="张伟一号")
    team = CustomerFactory(owner=mate, name="张伟二号")
    theirs = CustomerFactory(owner=stranger, name="张伟三号")
    client.force_login(rep)
    found = _ids(client, "zw")
    assert own.pk in found and team.pk in found and theirs.pk not in found
    assert theirs.pk not in _ids(client, theirs.code) + _ids(client) + _ids(client, "zw", inactive="1")


def test_a_manager_finds_every_teams_customers(client, manager_user):
    customers = [CustomerFactory(name=f"张伟{i}号") for i in range(3)]
    client.force_login(manager_user)
    assert sorted(_ids(client, "zw")) == sorted(c.pk for c in customers)


def test_inactive_customers_are_found_only_for_list_filters(client, manager_user):
    gone = CustomerFactory(name="张伟旧客户", is_active=False)
    client.force_login(manager_user)
    assert _ids(client, "zw") == []
    assert _ids(client, "zw", inactive="1") == [gone.pk]


def test_at_most_twenty_customers_come_back(client, manager_user):
    owner = UserFactory(roles=["sales"])
    CustomerFactory.create_batch(25, owner=owner, name="张伟商贸")
    client.force_login(manager_user)
    assert len(_ids(client, "zw")) == 20 and len(_ids(client)) == 20
