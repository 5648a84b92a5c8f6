"""docs/architecture.md stays true to the code: every event and every import contract it must
describe is there."""

import tomllib
from pathlib import Path

from core.events import names

ROOT = Path(__file__).resolve().parents[2]
DOC = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")


def test_every_event_name_is_in_the_events_table():
    events = [value for key, value in vars(names).items() if key.isupper()]
    missing = [name for name in events if f"`{name}`" not in DOC]
    assert events and not missing


def test_every_import_contract_is_described():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    contracts = [c["name"] for c in config["tool"]["importlinter"]["contracts"]]
    missing = [name for name in contracts if name not in DOC]
    assert contracts and not missing
