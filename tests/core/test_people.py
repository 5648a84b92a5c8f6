from core.people import display_name
from tests.factories import UserFactory


def test_chinese_name_is_written_family_name_first_without_space(db):
    assert display_name(UserFactory(first_name="伟", last_name="张")) == "张伟"


def test_western_name_keeps_given_name_first(db):
    assert display_name(UserFactory(first_name="Wei", last_name="Zhang")) == "Wei Zhang"


def test_user_without_a_name_shows_the_user_name(db):
    assert display_name(UserFactory(username="li.fang", first_name="", last_name="")) == "li.fang"
