"""The site-wide Chinese terms: a word whose meaning depends on the screen carries a context, and
each context resolves to its own translation in the merged catalogue."""

import pytest
from django.utils import translation

TERMS = [
    (None, "Product", "产品"),
    (None, "product", "产品"),
    (None, "credit note", "红字发票"),
    (None, "Payment terms", "账期"),
    (None, "Backorder", "欠货"),
    (None, "backorder", "欠货"),
    (None, "Count", "数量"),
    ("stock count", "Count", "盘点"),
    (None, "From", "从"),
    (None, "To", "至"),
    ("stock transfer", "From", "调出"),
    ("stock transfer", "To", "调入"),
    ("reassignment", "From", "原负责人"),
    (None, "Open", "进行中"),
    ("open amount", "Open", "未收"),
    ("invoice state", "Open", "未结清"),
    (None, "Cancelled", "已取消"),
    ("invoice state", "Cancelled", "已作废"),
    (None, "Shipped", "已发货"),
    ("date shipped", "Shipped", "发货时间"),
    (None, "Shipment", "发货单"),
    ("stock movement", "Shipment", "发货"),
    (None, "order", "订单"),
    ("sequence", "order", "顺序"),
    (None, "Inactive", "不活跃"),
    ("product state", "Inactive", "停用"),
    (None, "Done", "已完成"),
    ("mark as done", "Done", "完成"),
    (None, "Details", "详情"),
    ("statement line", "Details", "摘要"),
    (None, "message", "消息"),
    ("web inquiry", "message", "留言"),
]


@pytest.mark.parametrize(("context", "msgid", "expected"), TERMS)
def test_term_translates_to_the_chosen_chinese_word(context, msgid, expected):
    with translation.override("zh-hans"):
        got = translation.pgettext(context, msgid) if context else translation.gettext(msgid)
    assert got == expected
