"""Stored texts are message keys with parameters, shown in the reader's language."""

from decimal import Decimal

from django.utils import translation
from django.utils.translation import gettext_lazy, gettext_noop

from core.i18n import message, message_text, msgid_of, stored_params


def test_a_message_key_is_shown_in_each_readers_language():
    text = gettext_noop("Order %(number)s is on credit hold")
    params = {"number": "SO-2026-000001"}
    with translation.override("en"):
        assert message_text(text, params) == "Order SO-2026-000001 is on credit hold"
    with translation.override("zh-hans"):
        assert message_text(text, params) == "订单 SO-2026-000001 已被信用冻结"


def test_a_nested_message_is_translated_too():
    inner = message(gettext_noop("All stock reserved (%(reserved)s)."), {"reserved": "2"})
    params = {"number": "SO-1", "text": inner}
    with translation.override("en"):
        assert message_text("Order %(number)s: %(text)s", params) == "Order SO-1: All stock reserved (2)."
    with translation.override("zh-hans"):
        assert "库存已全部预留" in message_text("Order %(number)s: %(text)s", params)


def test_a_choice_label_is_stored_by_its_key():
    assert stored_params({"disposition": gettext_lazy("Scrap")}) == {
        "disposition": {"msgid": "Scrap", "params": {}}
    }
    with translation.override("zh-hans"):
        assert msgid_of(gettext_lazy("Scrap")) == "Scrap"


def test_decimals_are_stored_exactly_as_they_are():
    stored = stored_params({"limit": Decimal("100.00"), "qty": Decimal("2.5")})
    assert stored == {"limit": "100.00", "qty": "2.5"}


def test_a_text_stored_translated_before_is_shown_as_written():
    with translation.override("en"):
        assert message_text("库存已全部预留（2）。") == "库存已全部预留（2）。"
        assert message_text("50% 已付", {}) == "50% 已付"


def test_placeholders_that_do_not_match_never_fail():
    with translation.override("en"):
        assert message_text("Shipped %(number)s", {"other": 1}) == "Shipped %(number)s"
