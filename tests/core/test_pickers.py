"""The pickers (``core.pickers``): every search answers in a fixed number of queries whatever the
number of records (10, 1,000 and 100,000 customers), takes any input without a 500, is reached
with an API token too, and the widget renders the chosen record only. The users picker finds
people by name, pinyin and initials and shows their names, never user names."""

import pytest
from django import forms
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core.pickers import PICKER_LIMIT, picker_query, user_picker
from core.search import search_columns
from core.tokens import token_create
from crm.customers.models import Customer
from crm.customers.pickers import customer_picker
from tests.crm.customers.factories import CustomerFactory
from tests.factories import UserFactory
from tests.picker_world import bulk_customers, bulk_products, company_columns, company_name
from tests.scm.purchasing.factories import SupplierFactory

pytestmark = pytest.mark.django_db

PICKERS = ["customer-picker", "inventory-product-picker", "supplier-picker", "api-user-picker"]


def _search(client, name, q, **params):
    response = client.get(reverse(name), {"q": q, **params})
    assert response.status_code == 200, response.content[:300]
    return response.json()["results"]


def _queries(client, name, q) -> int:
    connection.queries_log.clear()  # a full log (after bulk inserts) would capture nothing
    with CaptureQueriesContext(connection) as ctx:
        _search(client, name, q)
    assert ctx.captured_queries
    return len(ctx.captured_queries)


# --- users ----------------------------------------------------------------------------------


@pytest.fixture
def zhang_wei(db):
    return UserFactory(
        username="zw2024", email="wei.zhang@example.com", first_name="伟", last_name="张", roles=["sales"]
    )


@pytest.mark.parametrize("typed", ["zw", "zhangwei", "张伟", "wei"])
def test_the_users_picker_finds_a_person_by_name_pinyin_and_initials(client, manager_user, zhang_wei, typed):
    UserFactory(first_name="芳", last_name="李")
    client.force_login(manager_user)
    assert [r["id"] for r in _search(client, "api-user-picker", typed)] == [zhang_wei.pk]


def test_the_users_picker_shows_names_never_user_names(client, manager_user, zhang_wei):
    client.force_login(manager_user)
    rows = _search(client, "api-user-picker", "zw")
    assert rows[0]["text"] == "张伟"
    assert "zw2024" not in str(rows)


def test_the_users_picker_leaves_out_inactive_users(client, manager_user, zhang_wei):
    get_user_model().objects.filter(pk=zhang_wei.pk).update(is_active=False)
    client.force_login(manager_user)
    assert _search(client, "api-user-picker", "zw") == []


def test_the_users_picker_finds_only_the_roles_asked_for(client, manager_user, zhang_wei):
    buyer = UserFactory(first_name="文", last_name="赵", roles=["purchasing"])
    client.force_login(manager_user)
    assert [r["id"] for r in _search(client, "api-user-picker", "zw", role="sales")] == [zhang_wei.pk]
    assert [r["id"] for r in _search(client, "api-user-picker", "zw", role="purchasing,manager")] == [
        buyer.pk
    ]


# --- the widget -----------------------------------------------------------------------------


class _CustomerForm(forms.Form):
    customer = forms.ModelChoiceField(queryset=Customer.objects.all(), widget=customer_picker())


def test_the_widget_renders_the_chosen_record_only_and_names_its_search(sales_user):
    chosen, other = CustomerFactory(name="张伟商贸"), CustomerFactory(name="李芳电子")
    html = str(_CustomerForm(initial={"customer": chosen.pk})["customer"])
    assert "张伟商贸" in html and "李芳电子" not in html
    assert f'data-picker="{reverse("customer-picker")}"' in html
    assert other.code not in html


def test_the_widget_asks_nothing_when_nothing_is_chosen(django_assert_num_queries):
    CustomerFactory.create_batch(3)
    with django_assert_num_queries(0):
        html = str(_CustomerForm()["customer"])
    assert html.count("<option") == 1


def test_a_posted_id_is_still_checked_against_the_fields_queryset():
    hidden = CustomerFactory(is_active=False)

    class Form(forms.Form):
        customer = forms.ModelChoiceField(
            queryset=Customer.objects.filter(is_active=True), widget=customer_picker()
        )

    for value in (hidden.pk, "²", "1e30", "9" * 30, "\x00"):
        form = Form({"customer": value})
        assert not form.is_valid() and "customer" in form.errors


def test_a_users_picker_widget_names_its_roles():
    class Form(forms.Form):
        owner = forms.ModelChoiceField(
            queryset=get_user_model().objects.all(), widget=user_picker(roles=["sales"])
        )

    assert "/api/v1/users/picker/?role=sales" in str(Form()["owner"])


# --- input ----------------------------------------------------------------------------------


def test_picker_input_loses_control_characters_and_is_cut_to_a_hundred_characters():
    assert picker_query("\x00zw\x1f ") == "zw"
    assert picker_query("ＳＫＵ１") == "SKU1"
    assert len(picker_query("x" * 10_000)) == 100
    assert picker_query(None) == ""


@pytest.mark.parametrize("name", PICKERS)
@pytest.mark.parametrize("q", ["x" * 10_000, "ab\x00cd", "\x00", "²", "%_\\'\"", "1e30", "张" * 300, "  "])
def test_bad_input_never_fails_a_picker(client, manager_user, name, q):
    CustomerFactory(name="张伟商贸")
    client.force_login(manager_user)
    assert isinstance(_search(client, name, q), list)


@pytest.mark.parametrize("name", PICKERS)
def test_a_picker_is_reached_with_an_api_token(api_client, manager_user, name):
    header = f"Token {token_create(user=manager_user)[1]}"
    response = api_client.get(reverse(name), {"q": "a"}, HTTP_AUTHORIZATION=header)
    assert response.status_code == 200 and "results" in response.json()


# --- a fixed number of queries whatever the size ----------------------------------------------


def test_the_bulk_names_carry_the_search_columns_the_model_would_give():
    for i in (0, 1, 2799, 28_000, 99_999):
        assert company_columns(i) == search_columns(company_name(i))


@pytest.mark.parametrize("q", ["", "zw", "zhang", "张伟", "B00000", "1390000"])
def test_the_customers_picker_costs_the_same_queries_at_10_and_1000_customers(client, sales_user, q):
    client.force_login(sales_user)
    bulk_customers(10, owner=sales_user)
    _search(client, "customer-picker", q)  # the session and roles are read once
    small = _queries(client, "customer-picker", q)
    bulk_customers(990, owner=sales_user, start=10)
    assert _queries(client, "customer-picker", q) == small


@pytest.mark.parametrize("q", ["", "shui", "kqs", "矿泉水", "P00000", "6900000000005", "7900000000005"])
def test_the_products_picker_costs_the_same_queries_at_10_and_1000_products(client, sales_user, q):
    client.force_login(sales_user)
    bulk_products(10)
    _search(client, "inventory-product-picker", q)
    small = _queries(client, "inventory-product-picker", q)
    bulk_products(990, start=10)
    assert _queries(client, "inventory-product-picker", q) == small


def test_the_suppliers_and_users_pickers_cost_the_same_queries_at_any_size(client, manager_user):
    client.force_login(manager_user)
    _search(client, "supplier-picker", "s")
    counts = [_queries(client, "supplier-picker", "s"), _queries(client, "api-user-picker", "u")]
    SupplierFactory.create_batch(30)
    UserFactory.create_batch(30)
    assert [_queries(client, "supplier-picker", "s"), _queries(client, "api-user-picker", "u")] == counts


def test_the_customers_picker_at_100000_customers_asks_as_few_queries_and_answers_20(client, sales_user):
    client.force_login(sales_user)
    bulk_customers(10, owner=sales_user)
    _search(client, "customer-picker", "zw")
    counts = {q: _queries(client, "customer-picker", q) for q in ("", "zw", "zhangwei", "张伟")}
    bulk_customers(99_990, owner=sales_user, start=10)
    assert Customer.objects.count() == 100_000
    # The session's idle clock is written again after a while of building (not a search cost).
    _search(client, "customer-picker", "warm")
    assert {q: _queries(client, "customer-picker", q) for q in counts} == counts
    rows = _search(client, "customer-picker", "zw")
    assert len(rows) == PICKER_LIMIT
