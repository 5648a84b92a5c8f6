"""Industry templates: each file loads and passes its schema and checks; applying adds what is
missing, the same the second time (nothing), never renames or deletes; a dry run is what
applying does, and writes nothing; a file that fails names itself and the path."""

import json
import re
import shutil
from decimal import Decimal
from pathlib import Path

import pytest
import yaml
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from jsonschema import Draft202012Validator

from core import preferences
from core.models import Preference
from crm.customers.models import Customer, CustomerGroup
from crm.sales.models import PipelineStage
from crm.service.models import SlaTarget
from integration.planning.models import CategoryServiceLevel
from integration.setup import industry
from integration.setup.industry_checks import DOCUMENT_PREFIXES
from scm.inventory.models import Category, Warehouse

pytestmark = pytest.mark.django_db
KEYS = ["trade", "manufacturing", "retail"]
REPO = Path(__file__).resolve().parents[3]


def state() -> dict:
    """What a template writes, row by row."""
    models = (PipelineStage, CustomerGroup, Customer, Category, CategoryServiceLevel, Warehouse, SlaTarget)
    rows = {m.__name__: sorted(map(repr, m.objects.values_list())) for m in models}
    rows["preferences"] = dict(Preference.objects.values_list("key", "value"))
    return rows


@pytest.fixture
def template_dir(tmp_path, monkeypatch):
    """The template files copied to a folder of the test's own, which ``industry`` reads."""
    for path in industry.TEMPLATE_DIR.iterdir():
        shutil.copy(path, tmp_path / path.name)
    monkeypatch.setattr(industry, "TEMPLATE_DIR", tmp_path)
    return tmp_path


def rewrite(folder: Path, key: str, change) -> None:
    path = folder / f"{key}.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")


def errors_of(key: str) -> list[str]:
    with pytest.raises(ValidationError) as caught:
        industry.template_load(key)
    return caught.value.messages


# --- loading --------------------------------------------------------------------------------


def test_the_schema_is_a_strict_draft_2020_12_schema():
    schema = json.loads((industry.TEMPLATE_DIR / "schema.json").read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    assert schema["$schema"].endswith("/draft/2020-12/schema")
    assert schema["additionalProperties"] is False and "pipeline_stages" in schema["required"]


@pytest.mark.parametrize("key", KEYS)
def test_each_template_loads_and_passes_its_schema_and_checks(key):
    template = industry.template_load(key)
    assert template["key"] == key
    assert template["name"] and template["name_en"] and template["description"]
    assert sum(1 for t in template["payment_terms"] if t["default"]) == 1


def test_the_templates_are_offered_in_their_order_and_all_valid():
    found = industry.templates_available()
    assert [(t.key, t.name, t.valid) for t in found] == [
        ("trade", "商贸", True),
        ("manufacturing", "制造", True),
        ("retail", "零售", True),
    ]


def test_the_retail_template_has_stores_as_warehouses_and_a_walk_in_customer():
    retail = industry.template_load("retail")
    assert {"code": "WALKIN", "name": "散客", "kind": "person"} in retail["customers"]
    assert sum(1 for w in retail["warehouses"] if w["name"].endswith("店")) >= 3
    # Weekend-heavy demand: the fast categories get the higher service levels.
    levels = {c["name"]: c["service_level"] for c in retail["product_categories"]}
    assert levels["饮料"] > levels["家居百货"] and "周末" in retail["notes"]


@pytest.mark.parametrize("key", ["nope", "../trade", "TRADE", "trade.yaml", ""])
def test_an_unknown_key_is_not_found(key):
    with pytest.raises(industry.TemplateNotFound):
        industry.template_load(key)


def test_a_file_failing_its_schema_names_the_file_and_the_path(template_dir):
    rewrite(template_dir, "retail", lambda d: d["pipeline_stages"][2].update(probability=120))
    assert "retail.yaml: pipeline_stages[2].probability: 120 is greater than the maximum of 100" in errors_of(
        "retail"
    )


def test_a_key_the_schema_does_not_know_is_named_with_its_place(template_dir):
    rewrite(template_dir, "trade", lambda d: d["warehouses"][0].update(city="北京"))
    assert any(
        m.startswith("trade.yaml: warehouses[0]: Additional properties") and "'city'" in m
        for m in errors_of("trade")
    )


def test_a_yaml_syntax_error_names_the_file_line_and_column(template_dir):
    (template_dir / "retail.yaml").write_text("key: retail\nname: [零售\n", encoding="utf-8")
    (message,) = errors_of("retail")
    assert message.startswith("retail.yaml: line 3, column 1: ")


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            lambda d: d["unit_conversions"].append({"unit": "桶", "base": "个", "factor": 4}),
            "unit_conversions[6].unit",
        ),
        (
            lambda d: d["sla_targets"].update(complaint={"high": d["sla_targets"]["quality"]["high"]}),
            "sla_targets.complaint",
        ),
        (
            lambda d: d["sla_targets"]["quality"].update(
                asap={"first_response_hours": 1, "resolution_hours": 2}
            ),
            "sla_targets.quality.asap",
        ),
        (
            lambda d: d["sla_targets"]["quality"]["high"].update(resolution_hours=1),
            "sla_targets.quality.high.resolution_hours",
        ),
        (lambda d: d["dashboard_figures"].append("profit"), "dashboard_figures[6]"),
        (lambda d: d["navigation"]["sales"].append("sales.nowhere"), "navigation.sales[7]"),
        (lambda d: d["navigation"].update(boss=["home"]), "navigation.boss"),
        (lambda d: d["warehouses"].append(dict(d["warehouses"][0], name="另一个")), "warehouses[3].code"),
        (lambda d: d["customer_groups"].append({"code": "key", "name": "大客户"}), "customer_groups[4].code"),
        (lambda d: d["pipeline_stages"][1].update(order=10), "pipeline_stages[1].order"),
        (lambda d: d["pipeline_stages"][0].update(won=True), "pipeline_stages[6]"),
        (lambda d: d["payment_terms"][0].update(default=True), "payment_terms"),
        (lambda d: d["number_formats"].update(XX={"prefix": "XX", "digits": 6}), "number_formats.XX"),
        (
            lambda d: d["product_categories"][0]["children"].append({"name": "纸张本册"}),
            "product_categories[0].children[3].name",
        ),
        (lambda d: d.update(key="wholesale"), "key"),
    ],
)
def test_what_the_schema_cannot_check_is_checked_and_named(template_dir, change, expected):
    rewrite(template_dir, "trade", change)
    messages = errors_of("trade")
    assert any(m.startswith(f"trade.yaml: {expected}: ") for m in messages), messages


def test_every_prefix_the_code_numbers_documents_with_may_be_formatted():
    """``DOCUMENT_PREFIXES`` lists every ``document_number(prefix=…)`` of the code, and no other."""
    drawn = set()
    for path in REPO.glob("[cfis]*/**/*.py"):
        if ".venv" in path.parts or "tests" in path.parts:
            continue
        text = path.read_text(encoding="utf-8")
        constants = dict(re.findall(r'^([A-Z_]+) = "([A-Z]+)"$', text, flags=re.M))
        for literal, name in re.findall(r'document_number\(prefix=(?:"([A-Z]+)"|([A-Z_]+))', text):
            drawn.add(literal or constants[name])
    assert drawn == set(DOCUMENT_PREFIXES)


# --- applying -------------------------------------------------------------------------------


@pytest.mark.parametrize("key", KEYS)
def test_applying_twice_gives_the_same_result_the_second_adds_nothing(key):
    first = industry.template_apply(key=key)
    after_first = state()
    assert first and industry.template_apply(key=key) == []
    assert state() == after_first


@pytest.mark.parametrize("key", KEYS)
def test_a_dry_run_lists_what_applying_adds_and_writes_nothing(key, admin_user):
    before = state()
    dry = industry.template_apply(key=key, actor=admin_user, dry_run=True)
    assert state() == before
    preferences.cache_clear()
    assert industry.template_apply(key=key, actor=admin_user) == dry


def test_the_trade_template_adds_its_parts_to_an_empty_company():
    changes = industry.template_apply(key="trade")
    assert {c.kind for c in changes} >= {
        "pipeline_stage",
        "lead_source",
        "customer_tag",
        "customer_group",
        "category",
        "service_level",
        "unit",
        "unit_conversion",
        "warehouse",
        "sla_target",
        "payment_term",
        "number_format",
        "credit_policy",
        "dashboard_figure",
        "navigation",
        "industry",
    }
    assert PipelineStage.objects.get(name="寄样试用").probability == 40
    paper = Category.objects.get(name="纸张本册", parent__name="办公用品")
    assert CategoryServiceLevel.objects.get(category=paper).service_level == Decimal("97")
    assert SlaTarget.objects.get(category="quality", priority="urgent").resolution_hours == 8
    assert preferences.preference("unit_conversions")[0] == {"unit": "箱", "base": "包", "factor": "5"}
    assert preferences.preference("credit_policy") == {"default_limit": "50000.00"}
    assert preferences.preference("industry") == {"template": "trade", "name": "商贸", "applied": ["trade"]}


def test_applying_to_a_company_with_data_never_renames_changes_or_deletes(admin_user):
    stage = PipelineStage.objects.create(name="方案报价", order=7, probability=33)
    own_stage = PipelineStage.objects.create(name="老客户回访", order=5, probability=20)
    won = PipelineStage.objects.filter(is_won=True).first() or PipelineStage.objects.create(
        name="成交", order=95, probability=100, is_won=True
    )
    warehouse = Warehouse.objects.create(code="BJ", name="北京总仓", region="京津冀", address="")
    office = Category.objects.create(name="办公用品")
    CategoryServiceLevel.objects.create(category=office, service_level=Decimal("80"))
    group = CustomerGroup.objects.create(code="KEY", name="大客户")
    SlaTarget.objects.create(
        category="quality", priority="urgent", first_response_hours=3, resolution_hours=30
    )
    preferences.preference_set(key="lead_sources", value=["转介绍"])
    preferences.preference_set(key="payment_terms", value=[{"name": "现款", "days": 0, "default": True}])
    preferences.preference_set(key="credit_policy", value={"default_limit": "1000.00"})
    preferences.preference_set(key="number_formats", value={"SO": {"prefix": "DD", "digits": 4}})
    counts = {m: m.objects.count() for m in (PipelineStage, Warehouse, Category, CustomerGroup, SlaTarget)}

    industry.template_apply(key="trade", actor=admin_user)

    stage.refresh_from_db(), warehouse.refresh_from_db(), group.refresh_from_db()
    assert (stage.name, stage.order, stage.probability) == ("方案报价", 7, 33)
    assert PipelineStage.objects.filter(pk=own_stage.pk).exists()
    assert PipelineStage.objects.filter(is_won=True).get() == won
    assert (warehouse.name, warehouse.region) == ("北京总仓", "京津冀")
    assert group.name == "大客户"
    assert CategoryServiceLevel.objects.get(category=office).service_level == Decimal("80")
    target = SlaTarget.objects.get(category="quality", priority="urgent")
    assert (target.first_response_hours, target.resolution_hours) == (3, 30)
    assert preferences.preference("lead_sources")[0] == "转介绍"
    terms = preferences.preference("payment_terms")
    assert terms[0] == {"name": "现款", "days": 0, "default": True}
    assert [t["name"] for t in terms if t["default"]] == ["现款"]
    assert preferences.preference("credit_policy") == {"default_limit": "1000.00"}
    assert preferences.preference("number_formats")["SO"] == {"prefix": "DD", "digits": 4}
    assert all(m.objects.count() >= n for m, n in counts.items())


def test_a_second_template_adds_its_own_and_is_recorded_as_the_last(admin_user):
    industry.template_apply(key="trade", actor=admin_user)
    changes = industry.template_apply(key="retail", actor=admin_user)
    assert ("customer", "WALKIN 散客") in {(c.kind, c.name) for c in changes}
    assert Customer.objects.get(code="WALKIN").owner is None
    assert preferences.preference("industry") == {
        "template": "retail",
        "name": "零售",
        "applied": ["trade", "retail"],
    }
    assert Warehouse.objects.filter(code__in=["BJ", "MD01", "DC"]).count() == 3


def test_a_template_failing_its_checks_writes_nothing(template_dir):
    rewrite(template_dir, "trade", lambda d: d["pipeline_stages"][0].update(probability=-1))
    before = state()
    with pytest.raises(ValidationError):
        industry.template_apply(key="trade")
    assert state() == before


def test_the_command_prints_what_it_adds_and_a_dry_run_writes_nothing(capsys):
    before = state()
    call_command("apply_template", "retail", "--dry-run")
    printed = capsys.readouterr().out
    assert "散客" in printed and "retail: would add" in printed
    assert state() == before
    call_command("apply_template", "retail")
    assert "retail: added" in capsys.readouterr().out
    assert Customer.objects.filter(code="WALKIN").exists()


def test_the_command_names_the_templates_there_are_for_an_unknown_one():
    with pytest.raises(CommandError, match="trade, manufacturing, retail"):
        call_command("apply_template", "wholesale")


def test_a_number_that_is_not_a_number_is_named_and_applies_nothing(template_dir):
    text = (template_dir / "trade.yaml").read_text(encoding="utf-8")
    (template_dir / "trade.yaml").write_text(
        text.replace("urgent: {first_response_hours: 1,", "urgent: {first_response_hours: .nan,", 1),
        encoding="utf-8",
    )
    (message,) = errors_of("trade")
    assert message.startswith("trade.yaml: sla_targets.quality.urgent.first_response_hours: ")
