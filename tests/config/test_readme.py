"""The README's settings table lists every setting read from the environment."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
READ_FROM_ENV = re.compile(r'(?:os\.environ\.get|env_bool|env_list|os\.environ\[)\(?"([A-Z][A-Z0-9_]+)"')


def test_readme_lists_every_environment_setting():
    names = set(READ_FROM_ENV.findall((ROOT / "config" / "settings.py").read_text()))
    assert len(names) > 20
    readme = (ROOT / "README.md").read_text()
    table = readme[readme.index("## Settings") :]
    missing = sorted(name for name in names if f"`{name}`" not in table)
    assert missing == []


def test_readme_gives_the_two_commands_and_the_demo_password():
    readme = (ROOT / "README.md").read_text()
    assert "make run" in readme and "make test" in readme
    from integration.setup.demo import DEMO_PASSWORD

    assert f"`{DEMO_PASSWORD}`" in readme
