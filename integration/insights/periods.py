"""The period a dashboard shows and the one it is compared with, read from a query string.

``period`` is ``month`` (the default), ``quarter``, ``year`` or ``custom``; ``at`` names the
month (``2026-11``), quarter (``2026-Q3``) or year (``2026``), the current one by default, which
runs to today; a custom period has ``start`` and ``end`` (inclusive, ``core.dates.date_input``).
The comparison is the period before: the previous month, quarter or year over the same days
(1–15 November against 1–15 October; a whole month against the whole month before), or, for a
range that is not a calendar month, quarter or year, as many days immediately before it.
"""

import calendar
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from core.dates import date_input
from core.sql import id_input

PERIOD_KINDS = ("month", "quarter", "year", "custom")
# The longest range a dashboard reads: three years.
MAX_DAYS = 3 * 366
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_QUARTER = re.compile(r"^(\d{4})-[Qq]([1-4])$")
_YEAR = re.compile(r"^(\d{4})$")


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def _shift(day: date, months: int, *, to_end: bool) -> date:
    """``day`` moved by ``months`` calendar months; the last day of the month when ``to_end``,
    else the same day number, or the month's last when it has fewer days."""
    index = day.year * 12 + day.month - 1 - months
    year, month = divmod(index, 12)
    last = _month_end(year, month + 1)
    return last if to_end else last.replace(day=min(day.day, last.day))


_KIND_MONTHS = {"month": 1, "quarter": 3, "year": 12}


def _whole(start: date, end: date) -> int | None:
    """1, 3 or 12 when ``start``…``end`` is exactly one calendar month, quarter or year."""
    if start.day != 1 or end != _month_end(end.year, end.month) or end.year != start.year:
        return None
    if end.month == start.month:
        return 1
    if start.month % 3 == 1 and end.month == start.month + 2:
        return 3
    if start.month == 1 and end.month == 12:
        return 12
    return None


@dataclass(frozen=True)
class Period:
    """Days ``start`` … ``end``, both included. ``kind`` (month, quarter, year, or empty) says
    which calendar period it runs in when it runs to date (1–15 November is November so far);
    it does not take part in comparisons."""

    start: date
    end: date
    kind: str = field(default="", compare=False)

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def _months(self) -> int | None:
        return _KIND_MONTHS.get(self.kind) or _whole(self.start, self.end)

    @property
    def label(self) -> str:
        months = self._months()
        if months == 12:
            text = f"{self.start.year}"
        elif months == 3:
            text = f"{self.start.year}-Q{(self.start.month - 1) // 3 + 1}"
        elif months == 1:
            text = f"{self.start:%Y-%m}"
        elif self.start == self.end:
            return self.start.isoformat()
        else:
            return f"{self.start.isoformat()} – {self.end.isoformat()}"
        if _whole(self.start, self.end) is None:  # so far: up to the end day
            text = f"{text} ({self.start:%m-%d} – {self.end:%m-%d})"
        return text

    def previous(self) -> "Period":
        """The period it is compared with (see the module's docstring)."""
        months = self._months()
        if months:
            whole = self.end == _month_end(self.end.year, self.end.month)
            return Period(
                _shift(self.start, months, to_end=False),
                _shift(self.end, months, to_end=whole),
                kind=self.kind,
            )
        return Period(self.start - timedelta(days=self.days), self.start - timedelta(days=1))

    def contains(self, day: date) -> bool:
        return self.start <= day <= self.end


def _value(params: Mapping, key: str) -> str:
    value = params.get(key)
    if isinstance(value, list | tuple):
        value = value[-1] if value else ""
    return "" if value is None else str(value).strip()


def _anchor(kind: str, at: str, today: date) -> Period:
    """The whole month, quarter or year named by ``at`` (the current one when empty)."""
    if kind == "month":
        match = _MONTH.match(at) if at else None
        year, month = (int(match[1]), int(match[2])) if match else (today.year, today.month)
        if at and (not match or not 1 <= month <= 12):
            raise ValidationError({"at": _("Name a month as YYYY-MM (for example 2026-11).")})
        return Period(date(year, month, 1), _month_end(year, month), kind)
    if kind == "quarter":
        match = _QUARTER.match(at) if at else None
        if at and not match:
            raise ValidationError({"at": _("Name a quarter as YYYY-Qn (for example 2026-Q3).")})
        year, quarter = (int(match[1]), int(match[2])) if match else (today.year, (today.month - 1) // 3 + 1)
        first = 3 * (quarter - 1) + 1
        return Period(date(year, first, 1), _month_end(year, first + 2), kind)
    match = _YEAR.match(at) if at else None
    if at and not match:
        raise ValidationError({"at": _("Name a year as YYYY (for example 2026).")})
    year = int(match[1]) if match else today.year
    return Period(date(year, 1, 1), date(year, 12, 31), kind)


def period_from_params(params: Mapping, *, today: date) -> tuple[Period, Period]:
    """(the period asked for, the one it is compared with) from ``params`` (a query string);
    a ``ValidationError`` naming the field for anything that is not a period."""
    kind = _value(params, "period") or "month"
    if kind not in PERIOD_KINDS:
        raise ValidationError({"period": _("Choose month, quarter, year or custom.")})
    if kind == "custom":
        start = date_input(_value(params, "start"), field="start")
        end = date_input(_value(params, "end"), field="end")
        if end < start:
            raise ValidationError({"end": _("The end of the period is before its start.")})
    else:
        at = _value(params, "at")
        try:
            whole = _anchor(kind, at, today)
        except (ValueError, OverflowError):
            raise ValidationError({"at": _("This period does not exist.")}) from None
        if whole.start > today:
            raise ValidationError({"at": _("This period has not started yet.")})
        start, end = whole.start, min(whole.end, today)
    period = Period(start, end, kind="" if kind == "custom" else kind)
    if period.days > MAX_DAYS:
        raise ValidationError({"end": _("A period can be at most three years long.")})
    try:
        previous = period.previous()
    except (ValueError, OverflowError):
        raise ValidationError({"start": _("This period has no period before it.")}) from None
    return period, previous


def team_from_params(params: Mapping, *, user):
    """The sales team named by ``team`` (an id), or None for the whole company; an unknown id is
    a ``ValidationError`` on ``team``."""
    from crm.customers.models import Team

    pk = id_input(_value(params, "team"), field="team", required=False)
    if pk is None:
        return None
    team = Team.objects.filter(pk=pk).first()
    if team is None:
        raise ValidationError({"team": _("There is no such team.")})
    return team
