"""Django merges every app's catalogue into one per language: a msgid translated differently in
two catalogues shows one module's word in the other. Each msgid (per context) has one msgstr."""

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
