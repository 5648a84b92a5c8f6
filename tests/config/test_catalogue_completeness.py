"""The catalogues are complete against the source: regenerating them the way ``make messages``
does (root catalogue, then each app's) leaves no empty and no fuzzy entry. A string added to the
code without a translation fails here, not in front of a Chinese user."""

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest

ROOT = Path(__file__).resolve().parents[2]
NOT_COPIED = {".venv", "node_modules", "var", ".git", "test-artifacts", "tests", "bench"}
GETTEXT_TOOLS = ("xgettext", "msgmerge", "msguniq")
TIMEOUT = 240


def root_ignores() -> list[str]:
    """The root catalogue's scope, read from the Makefile so that the two stay one rule."""
    makefile = (ROOT / "Makefile").read_text()
    match = re.search(r"^ROOT_MESSAGES_IGNORE\s*:=\s*((?:.*\\\n)*.*)$", makefile, re.MULTILINE)
    assert match, "ROOT_MESSAGES_IGNORE is missing from the Makefile"
    return match.group(1).replace("\\\n", " ").split()


def app_catalogue_dirs(base: Path) -> list[Path]:
    """Every app keeping its own catalogue (``<app>/locale/zh_Hans``), root excluded."""
    return sorted(
        path.parents[1]
        for path in base.rglob("locale/zh_Hans")
        if path.parents[1] != base and not NOT_COPIED & set(path.relative_to(base).parts)
    )


def missing_translations(po_path: Path) -> list[str]:
    po = polib.pofile(str(po_path))
    lines = []
    for entry in po:
        if entry.obsolete or entry.msgid == "":
            continue
        label = f"{entry.msgctxt}|{entry.msgid}" if entry.msgctxt else entry.msgid
        where = " ".join(f"{file}:{line}" for file, line in entry.occurrences[:3])
        if "fuzzy" in entry.flags:
            lines.append(f"fuzzy {label!r} ({where})")
        elif not entry.translated():
            lines.append(f"empty {label!r} ({where})")
    return lines


def require_gettext():
    missing = [tool for tool in GETTEXT_TOOLS if shutil.which(tool) is None]
    if not missing:
        return
    reason = f"makemessages needs GNU gettext; missing: {', '.join(missing)}"
    if os.environ.get("TANDEM_REQUIRE_SERVICES"):
        pytest.fail(reason + " (TANDEM_REQUIRE_SERVICES is set)")
    pytest.skip(reason)


def run_all(runs, env):
    processes = [
        (cwd, subprocess.Popen(run, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT))
        for cwd, run in runs
    ]
    for cwd, process in processes:
        output, _ = process.communicate(timeout=TIMEOUT)
        assert process.returncode == 0, f"makemessages failed in {cwd}:\n{output.decode()}"


def test_the_makefile_scope_keeps_modules_out_of_the_root_catalogue():
    ignores = root_ignores()
    assert {".venv", "node_modules", "crm", "scm", "finance"} <= set(ignores)


def test_a_catalogue_entry_without_translation_is_reported(tmp_path):
    po = polib.POFile()
    po.append(polib.POEntry(msgid="Next", msgstr="", occurrences=[("a.html", "1")]))
    po.append(polib.POEntry(msgid="Count", msgctxt="stock count", msgstr="盘点", flags=["fuzzy"]))
    po.append(polib.POEntry(msgid="Save", msgstr="保存"))
    po.save(str(tmp_path / "django.po"))
    assert missing_translations(tmp_path / "django.po") == [
        "empty 'Next' (a.html:1)",
        "fuzzy 'stock count|Count' ()",
    ]


def test_regenerated_catalogues_have_every_string_translated(tmp_path):
    require_gettext()
    copy = tmp_path / "src"
    shutil.copytree(
        ROOT,
        copy,
        ignore=lambda directory, names: [
            n
            for n in names
            if n in ("__pycache__", ".pytest_cache", ".ruff_cache", ".hypothesis")
            or n.endswith((".mo", ".pyc"))
            or (Path(directory) == ROOT and n in NOT_COPIED)
        ],
    )
    env = {**os.environ, "DEBUG": "1", "PYTHONDONTWRITEBYTECODE": "1"}
    manage = str(copy / "manage.py")
    command = [sys.executable, manage, "makemessages", "-l", "zh_Hans", "--no-obsolete", "-v", "0"]
    runs = [(copy, command + [f"--ignore={name}" for name in root_ignores()])]
    runs += [(app, command) for app in app_catalogue_dirs(copy)]
    assert len(runs) > 1
    # Each run starts by deleting the .pot files of settings.LOCALE_PATHS (the root catalogue's),
    # so the root runs first and alone; the app catalogues are independent of one another.
    run_all([runs[0]], env)
    run_all(runs[1:], env)

    problems = []
    for cwd, _run in runs:
        po_path = cwd / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
        problems += [f"{po_path.relative_to(copy)}: {line}" for line in missing_translations(po_path)]
    assert problems == [], f"{len(problems)} strings lack a translation:\n" + "\n".join(problems)


def test_missing_gettext_skips_locally_but_fails_when_services_are_required(monkeypatch):
    monkeypatch.setattr(shutil, "which", lambda program: None)
    monkeypatch.delenv("TANDEM_REQUIRE_SERVICES", raising=False)
    with pytest.raises(pytest.skip.Exception, match="xgettext"):
        require_gettext()
    monkeypatch.setenv("TANDEM_REQUIRE_SERVICES", "1")
    with pytest.raises(pytest.fail.Exception, match="xgettext"):
        require_gettext()
