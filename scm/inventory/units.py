"""The units products may use (箱, 包, 个, kg…) and their usual conversions, as the company's
preferences hold them (``core.preferences`` UNITS and UNIT_CONVERSIONS, set by an industry
template or an admin). The one check of a unit name, used by the product form, the API and the
products import. A company that has named no units yet may use any name (as before templates)."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from core.preferences import UNIT_CONVERSIONS, UNITS, preference


def units_offered() -> list[dict]:
    """The company's units ({"name", "divisible"}), in the order they were set."""
    return [u for u in preference(UNITS) if isinstance(u, dict) and u.get("name")]


def unit_input(value, *, field: str, units: list[dict] | None = None) -> str:
    """A unit name as entered (trimmed); when the company has named its units, one of them
    (matched without regard to case), else a ``ValidationError`` naming ``field`` and the units
    there are. ``units`` may be passed in by a caller that checks many rows."""
    name = str(value or "").strip()
    if not name:
        raise ValidationError({field: _("Enter a unit.")})
    known = units_offered() if units is None else units
    if not known:
        return name
    for unit in known:
        if unit["name"].lower() == name.lower():
            return unit["name"]
    raise ValidationError(
        {
            field: _("“%(unit)s” is not one of the company's units (%(units)s).")
            % {"unit": name, "units": "、".join(u["name"] for u in known)}
        }
    )


def unit_divisible(name: str, *, units: list[dict] | None = None) -> bool:
    """Whether the company counts ``name`` in fractions (kg: yes; 个: no)."""
    for unit in units_offered() if units is None else units:
        if unit["name"] == name:
            return bool(unit.get("divisible"))
    return False


def usual_factor(unit: str, base: str, *, conversions: list[dict] | None = None) -> Decimal | None:
    """How many ``base`` units one ``unit`` usually holds (箱 → 个: 24), or None when the company
    has not said."""
    rows = preference(UNIT_CONVERSIONS) if conversions is None else conversions
    for row in rows:
        if str(row.get("unit")) == unit and str(row.get("base")) == base:
            try:
                return Decimal(str(row.get("factor")))
            except ArithmeticError:
                return None
    return None
