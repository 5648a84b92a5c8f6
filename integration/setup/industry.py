"""Industry templates: one YAML file per industry in ``integration/setup/industry/`` (商贸 trade,
制造 manufacturing, 零售 retail), checked against ``schema.json`` there and then by the checks
a schema cannot make (``industry_checks``), and applied to the company.

Applying a template adds what the company lacks and never deletes, renames or changes what it
has: a stage that exists keeps its probability, a warehouse code its name, a preference entry its
value. Each kind of record is written by the service of the app that owns it (``*_ensure``);
the company's preferences by ``core.preferences.preference_merge``. A dry run is the very same
code in a transaction that is rolled back, so what it lists is what applying would do.
"""

import json
import math
import re
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import yaml
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _
from jsonschema import Draft202012Validator

from core import preferences
from core.audit import audit
from core.preferences import (
    CREDIT_POLICY,
    CUSTOMER_TAGS,
    DASHBOARD_FIGURES,
    INDUSTRY,
    LEAD_SOURCES,
    NAVIGATION,
    NUMBER_FORMATS,
    PAYMENT_TERMS,
    UNIT_CONVERSIONS,
    UNITS,
    preference,
    preference_merge,
    preference_set,
)
from core.roles import ROLE_LABELS
from crm.customers import services as customer_services
from crm.sales import services as sales_services
from crm.service.models import Category as TicketCategory
from crm.service.models import Priority
from crm.service.sla_settings import sla_target_ensure
from integration.insights.figures import FIGURES
from integration.planning.services import category_service_level_ensure
from integration.setup.industry_checks import DOCUMENT_PREFIXES, semantic_errors
from scm.inventory.setup_services import category_ensure, warehouse_ensure

# Read at each call (not bound at import), so that tests can point it at files of their own.
TEMPLATE_DIR = Path(__file__).with_name("industry")
KEY = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
# The order the templates are offered in; any other file follows, by name.
ORDER = ("trade", "manufacturing", "retail")

# What a change is of, as the dry run's table and the API name it.
KIND_LABELS = {
    "pipeline_stage": _("Pipeline stage"),
    "lead_source": _("Lead source"),
    "customer_tag": _("Customer tag"),
    "customer_group": _("Customer group"),
    "customer": _("Customer"),
    "category": _("Product category"),
    "service_level": _("Service level"),
    "unit": _("Unit"),
    "unit_conversion": _("Unit conversion"),
    "warehouse": _("Warehouse"),
    "sla_target": _("SLA target"),
    "payment_term": _("Payment term"),
    "number_format": _("Number format"),
    "credit_policy": _("Credit policy"),
    "dashboard_figure": _("Dashboard figure"),
    "navigation": _("Navigation"),
    "industry": _("Industry"),
}


class TemplateNotFound(LookupError):
    """No template file of that key."""


@dataclass(frozen=True)
class Change:
    """One thing applying a template adds: its kind (a key of ``KIND_LABELS``), its name and a
    detail (a probability, a region, hours…)."""

    kind: str
    name: str
    detail: str = ""

    @property
    def kind_label(self) -> str:
        return str(KIND_LABELS.get(self.kind, self.kind))


@dataclass(frozen=True)
class TemplateSummary:
    key: str
    name: str
    name_en: str
    description: str
    # The file's errors (schema or semantic), each naming the file and the path; () when valid.
    errors: tuple[str, ...] = ()

    @property
    def valid(self) -> bool:
        return not self.errors


# --- loading ----------------------------------------------------------------------------------


def _schema() -> dict:
    return json.loads((TEMPLATE_DIR / "schema.json").read_text(encoding="utf-8"))


def _path_text(parts) -> str:
    """A path in a template as people read it: ``pipeline_stages[2].probability``."""
    text = ""
    for part in parts:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def _sort_key(error):
    return [(0, p, "") if isinstance(p, int) else (1, 0, str(p)) for p in error.absolute_path]


def _file_of(key: str) -> Path:
    if not isinstance(key, str) or not KEY.match(key):
        raise TemplateNotFound(key)
    path = TEMPLATE_DIR / f"{key}.yaml"
    if not path.is_file():
        raise TemplateNotFound(key)
    return path


def _not_finite(value, at: list):
    """The paths of the NaN and infinite numbers in ``value``."""
    if isinstance(value, float) and not math.isfinite(value):
        yield list(at)
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _not_finite(item, [*at, key])
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _not_finite(item, [*at, index])


def _read(path: Path) -> tuple[object, list[str]]:
    """The file's data and its errors: YAML syntax, then the schema, then the semantic checks
    (only on data that passed the schema: they rely on its shapes)."""
    name = path.name
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc)
        return None, [f"{name}: {where}{problem}"]
    except (OSError, UnicodeDecodeError) as exc:
        return None, [f"{name}: {exc}"]
    # .nan and .inf are floats to YAML and pass every bound of the schema (NaN compares false).
    not_a_number = _("this is not a number")
    errors = [f"{name}: {_path_text(at)}: {not_a_number}" for at in _not_finite(data, [])]
    if errors:
        return data, errors
    validator = Draft202012Validator(_schema())
    for error in sorted(validator.iter_errors(data), key=_sort_key):
        path_text = _path_text(error.absolute_path)
        errors.append(f"{name}: {path_text}: {error.message}" if path_text else f"{name}: {error.message}")
    if errors:
        return data, errors
    return data, semantic_errors(data, file=name, stem=path.stem)


def template_load(key: str) -> dict:
    """The template ``key`` as data, checked. Raises ``TemplateNotFound`` for no such file and a
    ``ValidationError`` listing every error, each naming the file and the path
    (``retail.yaml: pipeline_stages[2].probability: 120 is greater than the maximum of 100``)."""
    data, errors = _read(_file_of(key))
    if errors:
        raise ValidationError(errors)
    return data


def template_keys() -> list[str]:
    """The keys of the template files there are, in ``ORDER`` then by name (nothing read)."""
    stems = {p.stem for p in TEMPLATE_DIR.glob("*.yaml") if KEY.match(p.stem)}
    return [k for k in ORDER if k in stems] + sorted(k for k in stems if k not in ORDER)


def templates_available() -> list[TemplateSummary]:
    """Every template file, in ``ORDER`` then by name, with its errors when it has any (a file
    that fails its checks is listed, not hidden: the page says what is wrong with it)."""
    found = []
    for key in template_keys():
        data, errors = _read(TEMPLATE_DIR / f"{key}.yaml")
        data = data if isinstance(data, dict) else {}

        def text(field, data=data):
            value = data.get(field)
            return value if isinstance(value, str) else ""

        found.append(
            TemplateSummary(
                key=key,
                name=text("name") or key,
                name_en=text("name_en"),
                description=text("description"),
                errors=tuple(errors),
            )
        )
    return found


# --- applying ---------------------------------------------------------------------------------


def template_apply(*, key: str, actor=None, dry_run: bool = False) -> list[Change]:
    """Add to the company what template ``key`` has and it lacks; the list of what was added
    (nothing on a second run). ``dry_run``: the same, in a transaction rolled back at the end.

    One transaction; the company's ``industry`` preference row is locked first (until the
    transaction ends), so two applications run one after the other and never add a stage or a
    category twice. Raises what ``template_load`` raises, and a ``ValidationError`` from a
    service (nothing then is written)."""
    template = template_load(key)
    with transaction.atomic():
        # preference_merge locks the row (select_for_update) and, inside this transaction, the
        # lock holds until it ends: the serialising lock for the whole application.
        preference_merge(key=INDUSTRY, value={})
        changes = _apply(template, actor=actor)
        if changes:
            audit(
                "setup.template_applied",
                actor=actor,
                data={"template": key, "dry_run": dry_run, "changes": len(changes)},
            )
        if dry_run:
            transaction.set_rollback(True)
    if dry_run:
        # What the rolled-back merges left in this process's preference cache is forgotten.
        preferences.cache_clear()
    return changes


def _apply(template: dict, *, actor) -> list[Change]:
    changes: list[Change] = []
    changes += _stages(template["pipeline_stages"], actor)
    changes += [
        Change("lead_source", s) for s in preference_merge(key=LEAD_SOURCES, value=template["lead_sources"])
    ]
    changes += [
        Change("customer_tag", t)
        for t in preference_merge(key=CUSTOMER_TAGS, value=template["customer_tags"])
    ]
    for group in template["customer_groups"]:
        _group, created = customer_services.customer_group_ensure(
            code=group["code"], name=group["name"], actor=actor
        )
        if created:
            changes.append(Change("customer_group", f"{group['code']} {group['name']}"))
    for customer in template.get("customers", []):
        _customer, created = customer_services.customer_ensure(
            code=customer["code"], name=customer["name"], kind=customer["kind"]
        )
        if created:
            changes.append(Change("customer", f"{customer['code']} {customer['name']}"))
    changes += _categories(template["product_categories"], parent=None, path="", actor=actor)
    changes += _units(template)
    for wh in template["warehouses"]:
        _wh, created = warehouse_ensure(
            code=wh["code"], name=wh["name"], region=wh["region"], address=wh["address"], actor=actor
        )
        if created:
            changes.append(Change("warehouse", f"{wh['code']} {wh['name']}", wh["region"]))
    changes += _sla_targets(template["sla_targets"], actor)
    changes += _payment_terms(template["payment_terms"])
    formats = {code: dict(f) for code, f in template["number_formats"].items()}
    for code in preference_merge(key=NUMBER_FORMATS, value=formats):
        shown = f"{formats[code]['prefix']}-YYYY-{'0' * (formats[code]['digits'] - 1)}1"
        changes.append(Change("number_format", f"{code} {DOCUMENT_PREFIXES[code]}", shown))
    limit = str(Decimal(str(template["credit_policy"]["default_limit"])).quantize(Decimal("0.01")))
    if preference_merge(key=CREDIT_POLICY, value={"default_limit": limit}):
        changes.append(Change("credit_policy", str(_("Default credit limit")), limit))
    for figure in preference_merge(key=DASHBOARD_FIGURES, value=template["dashboard_figures"]):
        changes.append(Change("dashboard_figure", str(FIGURES[figure].label), figure))
    changes += _navigation(template["navigation"])
    changes += _industry(template)
    return changes


def _stages(stages: list[dict], actor) -> list[Change]:
    changes = []
    for stage in stages:
        _stage, created = sales_services.pipeline_stage_ensure(
            name=stage["name"],
            order=stage["order"],
            probability=stage["probability"],
            is_won=bool(stage.get("won")),
            is_lost=bool(stage.get("lost")),
            actor=actor,
        )
        if created:
            changes.append(Change("pipeline_stage", stage["name"], f"{stage['probability']}%"))
    return changes


def _categories(nodes: list[dict], *, parent, path: str, actor) -> list[Change]:
    changes = []
    for node in nodes:
        name = f"{path} / {node['name']}" if path else node["name"]
        category, created = category_ensure(name=node["name"], parent=parent, actor=actor)
        if created:
            changes.append(Change("category", name))
        if "service_level" in node:
            level = Decimal(str(node["service_level"]))
            if category_service_level_ensure(category=category, service_level=level, actor=actor):
                changes.append(Change("service_level", name, f"{_plain(level)}%"))
        changes += _categories(node.get("children", []), parent=category, path=name, actor=actor)
    return changes


def _units(template: dict) -> list[Change]:
    units = [{"name": u["name"], "divisible": u["divisible"]} for u in template["units"]]
    changes = [Change("unit", u["name"]) for u in preference_merge(key=UNITS, value=units)]
    conversions = [
        {"unit": c["unit"], "base": c["base"], "factor": _plain(Decimal(str(c["factor"])))}
        for c in template["unit_conversions"]
    ]
    for c in preference_merge(key=UNIT_CONVERSIONS, value=conversions):
        changes.append(Change("unit_conversion", f"1 {c['unit']} = {c['factor']} {c['base']}"))
    return changes


def _sla_targets(targets: dict, actor) -> list[Change]:
    changes = []
    categories, priorities = dict(TicketCategory.choices), dict(Priority.choices)
    for category, by_priority in targets.items():
        # In the order of the priorities' definition, whatever the file's order.
        for priority in [p for p in Priority.values if p in by_priority]:
            hours = by_priority[priority]
            first = Decimal(str(hours["first_response_hours"]))
            resolution = Decimal(str(hours["resolution_hours"]))
            _target, created = sla_target_ensure(
                category=category,
                priority=priority,
                first_response_hours=first,
                resolution_hours=resolution,
                actor=actor,
            )
            if created:
                changes.append(
                    Change(
                        "sla_target",
                        f"{categories[category]} · {priorities[priority]}",
                        _("first response %(first)s h, resolution %(resolution)s h")
                        % {"first": _plain(first), "resolution": _plain(resolution)},
                    )
                )
    return changes


def _payment_terms(terms: list[dict]) -> list[Change]:
    # A company that has a default term keeps it: the template's terms come in as others.
    has_default = any(isinstance(t, dict) and t.get("default") for t in preference(PAYMENT_TERMS))
    incoming = [
        {"name": t["name"], "days": t["days"], "default": bool(t["default"]) and not has_default}
        for t in terms
    ]
    changes = []
    for term in preference_merge(key=PAYMENT_TERMS, value=incoming):
        detail = _("%(days)s days") % {"days": term["days"]}
        if term["default"]:
            detail = _("%(days)s days, the default") % {"days": term["days"]}
        changes.append(Change("payment_term", term["name"], detail))
    return changes


def _navigation(navigation: dict) -> list[Change]:
    current = preference(NAVIGATION)
    current = current if isinstance(current, dict) else {}
    changes = []
    for role, keys in navigation.items():
        have = current.get(role) if isinstance(current.get(role), list) else []
        extra = [k for k in keys if k not in have]
        if extra:
            changes.append(Change("navigation", str(ROLE_LABELS.get(role, role)), ", ".join(extra)))
    preference_merge(key=NAVIGATION, value={role: list(keys) for role, keys in navigation.items()})
    return changes


def _industry(template: dict) -> list[Change]:
    """The company's ``industry``: the template applied last, and every one applied so far.
    Recorded, not merged: it says what happened, it is not a setting a template could rename."""
    current = preference(INDUSTRY)
    current = current if isinstance(current, dict) else {}
    applied = [k for k in current.get("applied", []) if isinstance(k, str)]
    value = {
        "template": template["key"],
        "name": template["name"],
        "applied": applied if template["key"] in applied else [*applied, template["key"]],
    }
    if {k: current.get(k) for k in value} == value:
        return []
    preference_set(key=INDUSTRY, value={**current, **value})
    return [Change("industry", template["name"], template["key"])]


def _plain(number: Decimal) -> str:
    """A number as the text preferences keep and people read: 24, 0.5 (a YAML float read
    through its text, so 0.1 stays 0.1)."""
    return format(number.normalize(), "f")
