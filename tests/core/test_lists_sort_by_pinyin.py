"""Lists that sort by a Chinese name sort by its pinyin (阿强, 李娜, 王芳, 张伟), not by character
code (张伟, 李娜, 王芳, 阿强): customers, suppliers, products sorted by name, contacts, people
(users, owners, buyers, engineers) and teams; pages and API alike."""

import pytest
from django.contrib.auth import get_user_model

from core.people import users_by_name
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

# Made in character-code order, which is also the order of their ids.
NAMES = ["张伟", "李娜", "王芳", "阿强"]
BY_PINYIN = ["阿强", "李娜", "王芳", "张伟"]


def people(role="sales"):
    """One user per name (family name first), with a user name unlike it."""
    return [
        UserFactory(username=f"u-pinyin-{i}", last_name=name[0], first_name=name[1:], roles=[role])
        for i, name in enumerate(NAMES)
    ]


def names_in(html: str, names=NAMES) -> list[str]:
    return sorted(names, key=html.index)


def test_customers_list_by_name_in_pinyin_order(client, manager_user):
    from tests.crm.customers.factories import CustomerFactory

    for name in NAMES:
        CustomerFactory(name=name)
    client.force_login(manager_user)
    html = client.get("/customers/").content.decode()
    assert names_in(html) == BY_PINYIN


def test_customers_sorted_by_name_backwards_in_reverse_pinyin_order(manager_user):
    from crm.customers.selectors import customer_list
    from tests.crm.customers.factories import CustomerFactory

    for name in NAMES:
        CustomerFactory(name=name)
    got = [c.name for c in customer_list(user=manager_user, ordering="-name")]
    assert got == BY_PINYIN[::-1]


def test_customers_sorted_by_owner_follow_the_pinyin_of_the_owner_name(manager_user):
    from crm.customers.selectors import customer_list
    from tests.crm.customers.factories import CustomerFactory

    for user in people():
        CustomerFactory(name=f"{user.last_name}{user.first_name}的客户", owner=user)
    got = [c.owner.last_name + c.owner.first_name for c in customer_list(user=manager_user, ordering="owner")]
    assert got == BY_PINYIN


def test_customer_api_sorts_names_by_pinyin_by_default_and_when_asked(api_client, manager_user):
    from tests.crm.customers.factories import CustomerFactory

    for name in NAMES:
        CustomerFactory(name=name)
    api_client.force_authenticate(manager_user)
    default = [c["name"] for c in api_client.get("/api/v1/customers/").json()["results"]]
    asked = [c["name"] for c in api_client.get("/api/v1/customers/?ordering=-name").json()["results"]]
    assert (default, asked) == (BY_PINYIN, BY_PINYIN[::-1])


def test_a_customers_contacts_primary_first_then_by_pinyin():
    from crm.customers.selectors import customer_contacts
    from tests.crm.customers.factories import CustomerFactory
    from tests.crm.sales.factories import ContactFactory

    customer = CustomerFactory()
    for name in NAMES:
        ContactFactory(customer=customer, name=name, is_primary=name == "王芳")
    assert [c.name for c in customer_contacts(customer)] == ["王芳", "阿强", "李娜", "张伟"]


def test_suppliers_list_by_name_in_pinyin_order(client, purchasing_user):
    from tests.scm.purchasing.factories import SupplierFactory

    for name in NAMES:
        SupplierFactory(name=name)
    client.force_login(purchasing_user)
    html = client.get("/purchasing/suppliers/").content.decode()
    assert names_in(html) == BY_PINYIN


def test_supplier_api_sorted_by_name_follows_pinyin(api_client, purchasing_user):
    from tests.scm.purchasing.factories import SupplierFactory

    for name in NAMES:
        SupplierFactory(name=name)
    api_client.force_authenticate(purchasing_user)
    got = [s["name"] for s in api_client.get("/api/v1/suppliers/?ordering=name").json()["results"]]
    assert got == BY_PINYIN


def test_products_sorted_by_name_follow_pinyin(client, manager_user):
    from tests.scm.inventory.factories import ProductFactory

    for name in NAMES:
        ProductFactory(name=f"{name}牌茶叶")
    client.force_login(manager_user)
    html = client.get("/inventory/?ordering=name").content.decode()
    assert names_in(html, [f"{n}牌茶叶" for n in NAMES]) == [f"{n}牌茶叶" for n in BY_PINYIN]


def test_product_api_sorted_by_name_follows_pinyin(api_client, manager_user):
    from tests.scm.inventory.factories import ProductFactory

    for name in NAMES:
        ProductFactory(name=name)
    api_client.force_authenticate(manager_user)
    got = [p["name"] for p in api_client.get("/api/v1/inventory/products/?ordering=name").json()["results"]]
    assert got == BY_PINYIN


def test_people_are_listed_by_the_pinyin_of_their_names():
    made = people()
    got = users_by_name(get_user_model().objects.filter(pk__in=[u.pk for u in made]))
    assert [str(u) for u in got] == BY_PINYIN


def test_a_renamed_person_moves_to_their_new_place():
    made = people()
    made[3].last_name = "钟"  # 阿强 → 钟强: after 张伟
    made[3].save()
    got = users_by_name(get_user_model().objects.filter(pk__in=[u.pk for u in made]))
    assert [str(u) for u in got] == ["李娜", "王芳", "张伟", "钟强"]


def test_the_owner_filter_offers_reps_by_pinyin(client, manager_user):
    people()
    client.force_login(manager_user)
    html = client.get("/customers/").content.decode()
    # The owner filter is a picker: it searches the users picker for reps.
    assert 'name="owner"' in html and "role=sales" in html
    answer = client.get("/api/v1/users/picker/", {"role": "sales"}).json()["results"]
    assert [row["text"] for row in answer if row["text"] in NAMES] == BY_PINYIN


def test_the_admins_user_list_is_by_pinyin(admin_user):
    from integration.setup.users import users_list

    made = people()
    got = [str(u) for u in users_list() if u.pk in {p.pk for p in made}]
    assert got == BY_PINYIN


def test_engineers_by_team_then_by_pinyin():
    from crm.service.selectors import engineers_by_name
    from tests.crm.service.factories import EngineerFactory, ServiceTeamFactory

    team = ServiceTeamFactory(name="华北服务组")
    for user in people(role="service"):
        EngineerFactory(user=user, team=team)
    assert [str(e.user) for e in engineers_by_name()] == BY_PINYIN


def test_service_teams_by_pinyin():
    from crm.service.selectors import teams_by_name
    from tests.crm.service.factories import ServiceTeamFactory

    for name in NAMES:
        ServiceTeamFactory(name=f"{name}组")
    assert [t.name for t in teams_by_name()] == [f"{n}组" for n in BY_PINYIN]


def test_orders_sorted_by_owner_follow_the_pinyin_of_the_owner_name(manager_user):
    from crm.sales.orders import services
    from crm.sales.orders.selectors import order_list
    from tests.crm.sales.factories import CustomerFactory
    from tests.scm.inventory.factories import ProductFactory

    product = ProductFactory()
    for user in people():
        services.order_create(
            customer=CustomerFactory(owner=user), owner=user, lines=[{"product": product, "quantity": "1"}]
        )
    got = [str(o.owner) for o in order_list(user=manager_user, ordering="owner")]
    assert got == BY_PINYIN
