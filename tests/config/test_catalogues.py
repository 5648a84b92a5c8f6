"""Every catalogue in the repository is complete: no empty and no fuzzy entry."""

import os
import shutil
from pathlib import Path

import polib
import pytest
from django.core.management import call_command
from django.utils import translation

ROOT = Path(__file__).resolve().parents[2]
SKIP = {".venv", "node_modules", "var", ".git"}


def catalogues() -> list[Path]:
    found = [
        path
        for path in ROOT.rglob("locale/zh_Hans/LC_MESSAGES/django.po")
        if not SKIP & set(path.relative_to(ROOT).parts)
    ]
    return sorted(found)


def test_the_root_catalogue_exists():
    assert ROOT / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po" in catalogues()


@pytest.mark.parametrize("path", catalogues(), ids=lambda p: str(p.relative_to(ROOT)))
def test_catalogue_has_no_empty_or_fuzzy_entry(path):
    po = polib.pofile(str(path))
    assert po.untranslated_entries() == [], "untranslated"
    assert [e.msgid for e in po.fuzzy_entries()] == [], "fuzzy"
    assert not po.metadata_is_fuzzy, "the header is marked fuzzy"


def test_messages_compile_without_gettext(tmp_path, monkeypatch, settings):
    """``make install`` on a machine without msgfmt still builds the catalogues. Compiled in a
    copy: the repository's own .mo files are read by the tests running beside this one."""
    monkeypatch.setattr(shutil, "which", lambda program: None)
    messages = tmp_path / "locale" / "zh_Hans" / "LC_MESSAGES"
    messages.mkdir(parents=True)
    shutil.copy(ROOT / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po", messages)
    settings.BASE_DIR = tmp_path
    call_command("compilemessages", locale=["zh_Hans"], verbosity=0)
    compiled = polib.mofile(str(messages / "django.mo"))
    assert compiled.find("Log in").msgstr == "登录"
    assert sorted(p.name for p in messages.iterdir()) == ["django.mo", "django.po"]


def test_messages_compiled_without_gettext_are_left_alone_when_up_to_date(tmp_path, monkeypatch, settings):
    monkeypatch.setattr(shutil, "which", lambda program: None)
    messages = tmp_path / "locale" / "zh_Hans" / "LC_MESSAGES"
    messages.mkdir(parents=True)
    shutil.copy(ROOT / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po", messages)
    settings.BASE_DIR = tmp_path
    call_command("compilemessages", verbosity=0)
    mo = messages / "django.mo"
    os.utime(mo, (1e9 + 10, 1e9 + 10))
    os.utime(messages / "django.po", (1e9, 1e9))
    call_command("compilemessages", verbosity=0)
    assert mo.stat().st_mtime == 1e9 + 10


def test_chinese_is_served_from_the_compiled_catalogue():
    with translation.override("zh-hans"):
        assert translation.gettext("Your roles: %(roles)s") == "您的角色：%(roles)s"
