"""Every catalogue in the repository is complete: no empty and no fuzzy entry."""

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


def test_messages_compile_without_gettext(tmp_path, monkeypatch):
    """``make install`` on a machine without msgfmt still builds the catalogues."""
    monkeypatch.setattr(shutil, "which", lambda program: None)
    target = ROOT / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.mo"
    saved = target.read_bytes() if target.exists() else None
    try:
        if target.exists():
            target.unlink()
        call_command("compilemessages", locale=["zh_Hans"], verbosity=0)
        assert target.exists()
        compiled = polib.mofile(str(target))
        assert compiled.find("Log in").msgstr == "登录"
    finally:
        if saved is not None:
            target.write_bytes(saved)


def test_chinese_is_served_from_the_compiled_catalogue():
    with translation.override("zh-hans"):
        assert translation.gettext("Your roles: %(roles)s") == "您的角色：%(roles)s"
