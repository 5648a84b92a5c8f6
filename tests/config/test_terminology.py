"""The site-wide Chinese terms: a word whose meaning depends on the screen carries a context, and
each context resolves to its own translation in the merged catalogue. One term per meaning: the
labels below read the same on every page (see also ``test_catalogue_consistency``)."""

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
    # One term per meaning, on every page.
    (None, "Filter", "筛选"),
    ("list filter button", "Filter", "筛选"),
    (None, "Apply filter", "筛选"),
    (None, "Search", "搜索"),
    (None, "Save", "保存"),
    (None, "Cancel", "取消"),
    (None, "Owner", "负责人"),
    (None, "owner", "负责人"),
    (None, "Warehouse", "仓库"),
    (None, "Customer", "客户"),
    (None, "Supplier", "供应商"),
    (None, "Quantity", "数量"),
    (None, "Order", "订单"),
    (None, "Category", "类目"),
    (None, "Product category", "产品类目"),
    (None, "Dashboard", "仪表盘"),
    (None, "Lot", "批次"),
    (None, "Lot / serial number", "批号 / 序列号"),
    (None, "Barcode", "条码"),
    (None, "E-mail", "邮箱"),
    (None, "e-mail", "邮箱"),
    (None, "Lead time", "交货期"),
    (None, "lead time (days)", "交货期（天）"),
    (None, "Lead time from", "交货期来源"),
    (None, "Transfers", "调拨单"),
    (None, "stock count", "盘点"),
    (None, "Checked by", "质检人"),
    ("quality check", "Accepted", "合格"),
    (None, "Rejected", "不合格"),
    (None, "Rejected goods", "不合格品"),
    (None, "Comment", "评论"),
    (None, "Primary", "主要联系人"),
    (None, "Supplier credit note", "供应商红字发票"),
    (None, "User name", "用户名"),
]


@pytest.mark.parametrize(("context", "msgid", "expected"), TERMS)
def test_term_translates_to_the_chosen_chinese_word(context, msgid, expected):
    with translation.override("zh-hans"):
        got = translation.pgettext(context, msgid) if context else translation.gettext(msgid)
    assert got == expected


def _ours() -> dict:
    """Every translated msgid of the project's catalogues, as (context, msgid) → msgstr."""
    import polib

    from tests.config.test_catalogue_consistency import catalogues

    found = {}
    for path in catalogues():
        for entry in polib.pofile(str(path)):
            if entry.translated() and not entry.obsolete and not entry.msgid_plural:
                found[(entry.msgctxt, entry.msgid)] = entry.msgstr
    return found


def test_no_installed_package_translates_our_words_its_own_way():
    """django-filter's catalogue reads "Filter" as 过滤器 and DRF's "Search" as " 搜索": ours win."""
    with translation.override("zh-hans"):
        differ = {
            key: (msgstr, got)
            for key, msgstr in _ours().items()
            if (got := translation.pgettext(*key) if key[0] else translation.gettext(key[1])) != msgstr
        }
    assert differ == {}
