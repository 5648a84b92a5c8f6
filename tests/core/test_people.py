from core.people import display_name
from tests.factories import UserFactory


def test_chinese_name_is_written_family_name_first_without_space(db):
    assert display_name(UserFactory(first_name="伟", last_name="张")) == "张伟"


def test_western_name_keeps_given_name_first(db):
    assert display_name(UserFactory(first_name="Wei", last_name="Zhang")) == "Wei Zhang"


def test_user_without_a_name_shows_the_user_name(db):
    assert display_name(UserFactory(username="li.fang", first_name="", last_name="")) == "li.fang"


def test_a_user_reads_as_their_name_wherever_it_is_written(db):
    assert str(UserFactory(username="u_zhangwei", first_name="伟", last_name="张")) == "张伟"


def test_people_are_found_by_name_or_by_login(db):
    from core.people import people_by_name

    user = UserFactory(username="u_zhangwei", first_name="伟", last_name="张")
    found = people_by_name([user])
    assert (found["张伟"], found["u_zhangwei"]) == (user, user)


def test_a_name_two_people_share_finds_neither(db):
    from core.people import people_by_name

    one, two = (UserFactory(first_name="伟", last_name="张") for _ in range(2))
    found = people_by_name([one, two])
    assert "张伟" not in found
    assert found[one.username] == one


def test_the_api_names_an_owner_by_name(db, api_client, manager_user):
    from tests.crm.customers.factories import CustomerFactory

    owner = UserFactory(username="u_lina", first_name="娜", last_name="李", roles=["sales"])
    customer = CustomerFactory(owner=owner)
    api_client.force_authenticate(manager_user)
    assert api_client.get(f"/api/v1/customers/{customer.pk}/").json()["owner_name"] == "李娜"
