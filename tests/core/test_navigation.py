import pytest
from django.utils import translation

from core import navigation
from core.navigation import NavItem
from core.roles import EVERYONE, SALES, WAREHOUSE

pytestmark = pytest.mark.django_db


@pytest.fixture
def registry():
    saved = dict(navigation._items)
    navigation._items.clear()
    navigation.register(NavItem("home", "Home", "home", EVERYONE, order=0))
    yield navigation.register
    navigation._items.clear()
    navigation._items.update(saved)


def test_entries_group_by_url_namespace_unless_a_section_is_given(registry):
    assert navigation.section_of(NavItem("a", "A", "sales:lead_list", EVERYONE)) == "sales"
    assert navigation.section_of(NavItem("a", "A", "sales:x", EVERYONE, section="warehouse")) == "warehouse"
    assert navigation.section_of(NavItem("picking", "P", "home", EVERYONE)) == "picking"


def test_a_section_with_several_entries_is_labelled_by_the_section(registry, sales_user):
    registry(
        NavItem("events.one", "One", "events:deliveries", (SALES,), order=10),
        NavItem("events.two", "Two", "events:notifications", (SALES,), order=11),
    )
    with translation.override("en"):
        sections = navigation.sections_for(sales_user)
        assert [(s["key"], str(s["label"]), len(s["items"])) for s in sections] == [
            ("home", "Home", 1),
            ("events", "System", 2),
        ]


def test_a_section_with_one_visible_entry_shows_that_entry(registry, warehouse_user):
    registry(
        NavItem("events.one", "One", "events:deliveries", (SALES,), order=10),
        NavItem("events.two", "Two", "events:notifications", (WAREHOUSE,), order=11),
    )
    sections = navigation.sections_for(warehouse_user)
    assert [(s["key"], s["label"]) for s in sections] == [("home", "Home"), ("events", "Two")]


def test_the_section_of_the_current_page_is_active(registry, sales_user):
    registry(NavItem("events.one", "One", "events:deliveries", (SALES,), order=10))
    sections = navigation.sections_for(sales_user, current_path="/events/deliveries/")
    assert [s["active"] for s in sections] == [False, True]


def test_a_roles_navigation_preference_puts_its_entries_first_in_its_order(registry, sales_user):
    from core.preferences import preference_set

    registry(
        NavItem("events.one", "One", "events:deliveries", (SALES,), order=10),
        NavItem("events.two", "Two", "events:notifications", (SALES,), order=11),
        NavItem("events.three", "Three", "events:bell", (SALES,), order=12),
    )
    preference_set(
        key="navigation", value={"sales": ["events.three", "home", "nowhere"], "warehouse": ["events.one"]}
    )
    assert [i["key"] for i in navigation.items_for(sales_user)] == [
        "events.three",
        "home",
        "events.one",
        "events.two",
    ]


def test_without_a_navigation_preference_entries_keep_their_registered_order(registry, sales_user):
    registry(
        NavItem("events.two", "Two", "events:notifications", (SALES,), order=11),
        NavItem("events.one", "One", "events:deliveries", (SALES,), order=10),
    )
    assert [i["key"] for i in navigation.items_for(sales_user)] == ["home", "events.one", "events.two"]


def test_the_navigation_preference_costs_no_query_after_the_first_page(
    registry, sales_user, django_assert_num_queries
):
    from core.preferences import preference_set

    registry(NavItem("events.one", "One", "events:deliveries", (SALES,), order=10))
    preference_set(key="navigation", value={"sales": ["events.one"]})
    navigation.items_for(sales_user)
    with django_assert_num_queries(0):
        assert navigation.items_for(sales_user)[0]["key"] == "events.one"
