import pytest
from django.core.management import call_command


def test_openapi_schema_generates_without_warnings(tmp_path):
    """Every endpoint is typed: a schema warning (which check --deploy turns into a failure)
    fails here first."""
    try:
        call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yml"))
    except SystemExit as exc:  # --fail-on-warn exits non-zero
        pytest.fail(f"schema generation reported warnings (exit {exc.code})")
    assert (tmp_path / "schema.yml").read_text().startswith("openapi: 3")
