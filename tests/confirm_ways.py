"""``order_confirm`` has two ways on PostgreSQL: its usual case in one statement, or its steps
(setting ``ORDERS_CONFIRM_IN_ONE_STATEMENT``). The sales order and fulfilment tests run both
ways there, so that every behaviour they pin holds for each: their ``conftest`` imports the hook
and the fixture below. Elsewhere (SQLite) there is one way and each test runs once.

A module that compares the two ways itself is marked ``compares_confirm_ways`` and runs once.
"""

import pytest
from django.conf import settings as django_settings

WAYS = {"one-statement": True, "steps": False}


def _on_postgresql() -> bool:
    return "postgresql" in django_settings.DATABASES["default"]["ENGINE"]


def pytest_generate_tests(metafunc):
    if (
        "confirm_in_one_statement" in metafunc.fixturenames
        and _on_postgresql()
        and metafunc.definition.get_closest_marker("compares_confirm_ways") is None
    ):
        metafunc.parametrize("confirm_in_one_statement", list(WAYS.values()), ids=list(WAYS), indirect=True)


@pytest.fixture(autouse=True)
def confirm_in_one_statement(request, settings):
    """The way ``order_confirm`` takes in this test (``True``: one statement where it can)."""
    settings.ORDERS_CONFIRM_IN_ONE_STATEMENT = getattr(request, "param", True)
    return settings.ORDERS_CONFIRM_IN_ONE_STATEMENT
