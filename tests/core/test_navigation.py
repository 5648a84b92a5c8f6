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
