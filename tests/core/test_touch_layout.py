"""Warehouse staff work on a tablet: every page they open carries the touch layout (body class
``touch``: targets of at least 44×44 px, static/css/tandem.css); office roles keep the desktop
look, and so do admins whatever roles they also hold."""

import re

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def body_classes(client, user) -> set[str]:
    client.force_login(user)
    html = client.get(reverse("inventory:stock")).content.decode()
    return set(re.search(r'<body class="([^"]*)"', html).group(1).split())


def test_a_warehouse_user_gets_the_touch_layout_on_a_lookup_page(client, warehouse_user):
    assert "touch" in body_classes(client, warehouse_user)


@pytest.mark.parametrize("role", ["sales", "purchasing", "finance", "manager"])
def test_office_roles_keep_the_desktop_layout(client, user_with_role, role):
    assert "touch" not in body_classes(client, user_with_role(role))


def test_a_warehouse_user_who_also_buys_gets_the_touch_layout(client, user_with_role):
    assert "touch" in body_classes(client, user_with_role("warehouse", "purchasing"))


def test_an_admin_keeps_the_desktop_layout(client, user_with_role):
    assert "touch" not in body_classes(client, user_with_role("admin", "warehouse"))
