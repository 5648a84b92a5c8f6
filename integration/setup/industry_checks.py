"""The checks of an industry template that its JSON Schema cannot make: names that must refer to
something the code defines (ticket categories and priorities, dashboard figures, navigation
entries, document prefixes, roles), units that conversions name, and codes and names given twice.
Run by ``industry`` on a file that passed its schema; each message names the file and the path,
as the schema's do."""

from django.utils.translation import gettext_lazy as _

from core.navigation import item_keys
from core.roles import ALL_ROLES
from crm.service.models import Category as TicketCategory
from crm.service.models import Priority
from integration.insights.figures import FIGURES

# The prefixes the code draws document numbers with (``document_number(prefix=…)``): what a
# template's ``number_formats`` may give another prefix and width. A test keeps it in step with
# the code.
DOCUMENT_PREFIXES = {
    "SO": _("Sales order"),
    "QT": _("Quote"),
    "C": _("Customer code"),
    "TK": _("Service ticket"),
    "CC": _("Stock count"),
    "TR": _("Transfer"),
    "V": _("Supplier code"),
    "PO": _("Purchase order"),
    "GR": _("Goods receipt"),
    "RTV": _("Return to supplier"),
    "INV": _("Invoice"),
    "CN": _("Credit note"),
    "PAY": _("Payment"),
    "BILL": _("Supplier bill"),
    "SCN": _("Supplier credit note"),
    "SPAY": _("Supplier payment"),
    "SH": _("Shipment"),
    "PB": _("Batch pick"),
    "RT": _("Customer return"),
    "RC": _("Recall"),
    "RA": _("Return authorisation"),
}


class _Errors(list):
    def __init__(self, file: str):
        super().__init__()
        self.file = file

    def add(self, path: str, message: str) -> None:
        self.append(f"{self.file}: {path}: {message}")


def _twice(errors: _Errors, path: str, value, first_path: str) -> None:
    errors.add(
        path, _("“%(value)s” is given twice (first at %(first)s)") % {"value": value, "first": first_path}
    )


def _unique(errors: _Errors, rows, field: str, where: str) -> None:
    """Each row's ``field`` (any letter case, spaces around ignored) given once."""
    seen: dict[str, str] = {}
    for index, row in enumerate(rows):
        value = str(row[field]).strip()
        path = f"{where}[{index}].{field}"
        if value.casefold() in seen:
            _twice(errors, path, value, seen[value.casefold()])
        else:
            seen[value.casefold()] = path


def semantic_errors(data: dict, *, file: str, stem: str) -> list[str]:
    """Every error of ``data`` (a template that passed its schema), read from ``file``."""
    errors = _Errors(file)
    if data["key"] != stem:
        errors.add(
            "key", _("“%(key)s” is not the file's name (%(stem)s)") % {"key": data["key"], "stem": stem}
        )
    _stages(errors, data["pipeline_stages"])
    _unique(errors, data["customer_groups"], "code", "customer_groups")
    _unique(errors, data.get("customers", []), "code", "customers")
    _categories(errors, data["product_categories"], "product_categories")
    _units(errors, data)
    _unique(errors, data["warehouses"], "code", "warehouses")
    _sla(errors, data["sla_targets"])
    _payment_terms(errors, data["payment_terms"])
    for prefix in data["number_formats"]:
        if prefix not in DOCUMENT_PREFIXES:
            errors.add(
                f"number_formats.{prefix}",
                _("“%(prefix)s” is not a prefix documents are numbered with (%(known)s)")
                % {"prefix": prefix, "known": ", ".join(DOCUMENT_PREFIXES)},
            )
    for index, key in enumerate(data["dashboard_figures"]):
        if key not in FIGURES:
            errors.add(
                f"dashboard_figures[{index}]",
                _("“%(key)s” is not a dashboard figure (%(known)s)")
                % {"key": key, "known": ", ".join(FIGURES)},
            )
    _navigation(errors, data["navigation"])
    return list(errors)


def _stages(errors: _Errors, stages: list[dict]) -> None:
    _unique(errors, stages, "name", "pipeline_stages")
    orders: dict[int, str] = {}
    won, lost = [], []
    for index, stage in enumerate(stages):
        path = f"pipeline_stages[{index}]"
        if stage["order"] in orders:
            _twice(errors, f"{path}.order", stage["order"], orders[stage["order"]])
        orders.setdefault(stage["order"], f"{path}.order")
        if stage.get("won") and stage.get("lost"):
            errors.add(path, _("a stage cannot be both won and lost"))
        if stage.get("won"):
            won.append(path)
        if stage.get("lost"):
            lost.append(path)
    for paths, what in ((won, _("won")), (lost, _("lost"))):
        for path in paths[1:]:
            errors.add(
                path,
                _("only one stage may be the %(what)s stage (also %(first)s)")
                % {"what": what, "first": paths[0]},
            )


def _categories(errors: _Errors, nodes: list[dict], where: str) -> None:
    _unique(errors, nodes, "name", where)
    for index, node in enumerate(nodes):
        _categories(errors, node.get("children", []), f"{where}[{index}].children")


def _units(errors: _Errors, data: dict) -> None:
    _unique(errors, data["units"], "name", "units")
    names = {u["name"] for u in data["units"]}
    pairs: dict[tuple[str, str], str] = {}
    for index, conversion in enumerate(data["unit_conversions"]):
        path = f"unit_conversions[{index}]"
        for field in ("unit", "base"):
            if conversion[field] not in names:
                errors.add(
                    f"{path}.{field}",
                    _("“%(unit)s” is not one of the template's units (%(units)s)")
                    % {"unit": conversion[field], "units": "、".join(u["name"] for u in data["units"])},
                )
        if conversion["unit"] == conversion["base"]:
            errors.add(path, _("a unit cannot convert to itself"))
        pair = (conversion["unit"], conversion["base"])
        if pair in pairs:
            _twice(errors, path, f"{pair[0]} → {pair[1]}", pairs[pair])
        pairs.setdefault(pair, path)


def _sla(errors: _Errors, targets: dict) -> None:
    for category, by_priority in targets.items():
        if category not in TicketCategory.values:
            errors.add(
                f"sla_targets.{category}",
                _("“%(category)s” is not a ticket category (%(known)s)")
                % {"category": category, "known": ", ".join(TicketCategory.values)},
            )
        for priority, hours in by_priority.items():
            path = f"sla_targets.{category}.{priority}"
            if priority not in Priority.values:
                errors.add(
                    path,
                    _("“%(priority)s” is not a priority (%(known)s)")
                    % {"priority": priority, "known": ", ".join(Priority.values)},
                )
            if hours["resolution_hours"] < hours["first_response_hours"]:
                errors.add(
                    f"{path}.resolution_hours",
                    _("the resolution target cannot be shorter than the first response"),
                )


def _payment_terms(errors: _Errors, terms: list[dict]) -> None:
    _unique(errors, terms, "name", "payment_terms")
    defaults = [index for index, term in enumerate(terms) if term["default"]]
    if len(defaults) != 1:
        errors.add(
            "payment_terms",
            _("exactly one term must be the default (%(count)s are)") % {"count": len(defaults)},
        )


def _navigation(errors: _Errors, navigation: dict) -> None:
    known = item_keys()
    for role, keys in navigation.items():
        if role not in ALL_ROLES:
            errors.add(
                f"navigation.{role}",
                _("“%(role)s” is not a role (%(known)s)") % {"role": role, "known": ", ".join(ALL_ROLES)},
            )
        for index, key in enumerate(keys):
            if key not in known:
                errors.add(
                    f"navigation.{role}[{index}]",
                    _("“%(key)s” is not a navigation entry") % {"key": key},
                )
