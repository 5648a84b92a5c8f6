"""Django merges every app's catalogue into one per language: a msgid translated differently in
two catalogues shows one module's word in the other. Each msgid (per context) has one msgstr.

One term per meaning across all pages, too: labels that differ only in case or end punctuation
("Lead time", "lead time", "Checked by:") read the same in Chinese, unless ``DIFFERENT_MEANINGS``
says why the English word means two things; and no translation uses a word that ``SYNONYMS`` has
replaced by the one chosen (产品, never 商品; 筛选, never 过滤器)."""

import re
from collections import defaultdict
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parents[2]
SKIP = {".venv", "node_modules", "var", ".git", "test-artifacts"}


def catalogues() -> list[Path]:
    return sorted(
        path
        for path in ROOT.rglob("locale/zh_Hans/LC_MESSAGES/django.po")
        if not SKIP & set(path.relative_to(ROOT).parts)
    )


def owner(path: Path) -> str:
    """The app directory holding ``locale/zh_Hans/LC_MESSAGES/django.po``."""
    app = path.parents[3]
    return str(app.relative_to(ROOT)) if app.is_relative_to(ROOT) else app.name


def translations_by_msgid(paths) -> dict[tuple, dict[str, list[str]]]:
    """(msgctxt, msgid, msgid_plural) -> {msgstr: [catalogues using it]}."""
    found: dict[tuple, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for path in paths:
        for entry in polib.pofile(str(path)):
            if entry.obsolete or not entry.translated():
                continue
            if entry.msgid_plural:
                msgstr = " | ".join(entry.msgstr_plural[k] for k in sorted(entry.msgstr_plural))
            else:
                msgstr = entry.msgstr
            key = (entry.msgctxt, entry.msgid, entry.msgid_plural)
            found[key][msgstr].append(owner(path))
    return found


def conflicts(paths) -> list[str]:
    lines = []
    for (msgctxt, msgid, _plural), by_msgstr in sorted(
        translations_by_msgid(paths).items(), key=lambda item: (item[0][1], item[0][0] or "")
    ):
        if len(by_msgstr) > 1:
            label = f"{msgctxt}|{msgid}" if msgctxt else msgid
            used = "; ".join(f"{msgstr!r} in {', '.join(apps)}" for msgstr, apps in by_msgstr.items())
            lines.append(f"{label!r}: {used}")
    return lines


def test_every_catalogue_is_checked():
    found = {str(p.relative_to(ROOT)) for p in catalogues()}
    assert "locale/zh_Hans/LC_MESSAGES/django.po" in found
    assert len(found) > 1


def test_a_msgid_has_the_same_translation_in_every_catalogue():
    found = conflicts(catalogues())
    assert found == [], f"{len(found)} msgids translated differently:\n" + "\n".join(found)


def test_a_different_translation_in_two_catalogues_is_reported(tmp_path):
    for app, word in (("a", "顺序"), ("b", "订单")):
        directory = tmp_path / app / "locale" / "zh_Hans" / "LC_MESSAGES"
        directory.mkdir(parents=True)
        po = polib.POFile()
        po.append(polib.POEntry(msgid="order", msgstr=word))
        po.append(polib.POEntry(msgid="Count", msgctxt=f"ctx {app}", msgstr=word))
        po.save(str(directory / "django.po"))
    found = conflicts(sorted(tmp_path.rglob("django.po")))
    assert found == ["'order': '顺序' in a; '订单' in b"]


# Labels equal but for case and end punctuation whose English word carries two meanings (the
# label's key, and why its translations differ).
DIFFERENT_MEANINGS = {
    "accepted": "a quote the customer accepted (已接受); goods that passed the check (合格)",
    "applied": "a payment's amount applied to invoices (核销金额); a template applied (已应用)",
    "buyer": "the buying party on a document (采购方); the purchasing clerk (采购员)",
    "count": "a number of things (数量); a stock count (盘点)",
    "created": "a creation time (创建时间); a message that something was created (已创建)",
    "delivery": "a shipment arriving (送达); an event handed to a handler (投递)",
    "from": "a date range's start (从); the warehouse a transfer leaves (调出仓)",
    "to": "a date range's end (至); the warehouse a transfer reaches (调入仓)",
    "inactive": "a customer who stopped buying (不活跃); a record switched off (停用)",
    "message": "a web inquiry's text (留言); an event's message (消息)",
    "new customer": "the button that creates one (新建客户); the newer of two duplicates (新客户)",
    "none": "no tracking of a product (不追踪); nothing (无)",
    "receipt": "a receipt as a stock movement (收货); the receipt document (收货单)",
    "return to supplier": "the action (退回供应商); the document (退货单)",
    "teams": "sales teams (团队); service teams (服务组)",
    "transfer": "a transfer as a movement (调拨); the transfer document (调拨单)",
    "value": "an amount of money (金额); a setting's value (值)",
    "visit": "a rep's visit to a customer (拜访); an engineer's visit on site (上门)",
}

# One word per meaning: the word chosen, and the words that must not appear in any translation.
SYNONYMS = [
    ("筛选", "filter", ["过滤器", "过滤"]),
    ("产品", "product", ["商品", "货品"]),
    ("库位", "bin location", ["货位", "储位", "仓位"]),
    ("负责人", "owner", ["所有者", "拥有者", "归属人"]),
    ("客户", "customer", ["顾客"]),
    ("供应商", "supplier", ["供货商"]),
    ("仓库", "warehouse", ["库房"]),
    ("条码", "barcode", ["条形码"]),
    ("类目", "category", ["类别", "分类"]),
    ("仪表盘", "dashboard", ["仪表板"]),
    ("邮箱", "e-mail address", ["电子邮件"]),
    ("交货期", "lead time", ["提前期", "交货周期"]),
    ("到期时间", "expiry time", ["过期时间"]),
    ("质检", "quality check", ["检验"]),
    ("用户名", "user name", ["登录名"]),
    ("搜索", "search", ["检索"]),
]

_END = re.compile(r"[\s.:：。!！]+$")


def label_key(msgid: str) -> str:
    """A label as compared: case and end punctuation left out ("Checked by:" = "checked by")."""
    return _END.sub("", msgid.strip()).casefold()


def label_text(msgstr: str) -> str:
    """A translation as compared: end punctuation and a polite 请 left out (请选择客户。= 选择客户)."""
    return _END.sub("", msgstr.strip()).removeprefix("请")


def label_conflicts(paths) -> list[str]:
    """Labels (no context, no plural) equal but for case or end punctuation, read differently."""
    found: dict[str, dict[str, set]] = defaultdict(lambda: defaultdict(set))
    for path in paths:
        for entry in polib.pofile(str(path)):
            if entry.obsolete or not entry.translated() or entry.msgctxt or entry.msgid_plural:
                continue
            found[label_key(entry.msgid)][label_text(entry.msgstr)].add(f"{entry.msgid!r} in {owner(path)}")
    return [
        f"{key!r}: " + "; ".join(f"{text!r} ({', '.join(sorted(where))})" for text, where in texts.items())
        for key, texts in sorted(found.items())
        if len(texts) > 1 and key not in DIFFERENT_MEANINGS
    ]


def synonyms_used(paths) -> list[str]:
    found = []
    for path in paths:
        for entry in polib.pofile(str(path)):
            texts = entry.msgstr_plural.values() if entry.msgid_plural else [entry.msgstr]
            for chosen, meaning, avoided in SYNONYMS:
                for word in avoided:
                    if any(word in text for text in texts):
                        found.append(f"{owner(path)}: {entry.msgid!r} says {word} for {meaning} ({chosen})")
    return found


def test_labels_equal_but_for_case_read_the_same():
    found = label_conflicts(catalogues())
    assert found == [], f"{len(found)} labels read differently:\n" + "\n".join(found)


def test_every_label_of_two_meanings_still_exists():
    keys = set()
    for path in catalogues():
        keys |= {label_key(e.msgid) for e in polib.pofile(str(path)) if not e.msgctxt}
    assert sorted(set(DIFFERENT_MEANINGS) - keys) == []


def test_no_translation_uses_a_replaced_synonym():
    found = synonyms_used(catalogues())
    assert found == [], f"{len(found)} translations use a replaced word:\n" + "\n".join(found)


def _catalogue(tmp_path, app, entries):
    directory = tmp_path / app / "locale" / "zh_Hans" / "LC_MESSAGES"
    directory.mkdir(parents=True)
    po = polib.POFile()
    for msgid, msgstr in entries:
        po.append(polib.POEntry(msgid=msgid, msgstr=msgstr))
    po.save(str(directory / "django.po"))


def test_a_label_read_differently_in_another_case_is_reported(tmp_path):
    _catalogue(tmp_path, "a", [("Lead time", "交货周期"), ("Choose a customer.", "请选择客户。")])
    _catalogue(tmp_path, "b", [("lead time:", "提前期"), ("Choose a customer", "选择客户")])
    found = label_conflicts(sorted(tmp_path.rglob("django.po")))
    assert found == ["'lead time': '交货周期' ('Lead time' in a); '提前期' ('lead time:' in b)"]


def test_a_replaced_synonym_is_reported(tmp_path):
    _catalogue(tmp_path, "a", [("Filter", "过滤器"), ("Products", "产品")])
    found = synonyms_used(sorted(tmp_path.rglob("django.po")))
    assert found == ["a: 'Filter' says 过滤器 for filter (筛选)", "a: 'Filter' says 过滤 for filter (筛选)"]
