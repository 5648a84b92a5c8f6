"""Spreadsheet exports (CSV and xlsx), safe against formula injection: every export of every app
writes its cells through ``safe_cell``, most through ``export_response``.

A spreadsheet runs a cell that starts with ``=``, ``+``, ``-`` or ``@`` (and, in some, a tab or a
carriage return) as a formula — a customer named ``=HYPERLINK(…)`` would run on the desk of
whoever opens the export (OWASP "CSV injection"). Such text gets a leading ``'``: shown as
written, never run.
"""

import csv
import io
from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal

from django.http import HttpResponse

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value):
    """A cell a spreadsheet shows and never runs, the one definition every export uses.

    Numbers (int, Decimal, float) stay numbers: a negative amount is a number, not a formula,
    and an xlsx keeps it summable. Dates are ISO text; None an empty cell. Any other value is
    its text, with a leading ``'`` when it starts like a formula (``FORMULA_START``)."""
    if value is None:
        return ""
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        return value
    if isinstance(value, datetime | date):
        return value.isoformat()
    text = str(value)
    if text.startswith(FORMULA_START):
        return "'" + text
    return text


def export_response(*, filename: str, headers: list[str], rows: Iterable[list], fmt: str) -> HttpResponse:
    """An attachment ``<filename>.xlsx`` (``fmt="xlsx"``) or ``<filename>.csv`` (anything else,
    UTF-8 with a BOM so that Excel reads Chinese right), every cell through ``safe_cell``."""
    if fmt == "xlsx":
        from openpyxl import Workbook

        wb = Workbook(write_only=True)
        ws = wb.create_sheet()
        ws.append([safe_cell(h) for h in headers])
        for row in rows:
            ws.append([safe_cell(v) for v in row])
        buf = io.BytesIO()
        wb.save(buf)
        response = HttpResponse(
            buf.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )
        response["Content-Disposition"] = f'attachment; filename="{filename}.xlsx"'
        return response
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow([safe_cell(h) for h in headers])
    for row in rows:
        writer.writerow([safe_cell(v) for v in row])
    response = HttpResponse("\ufeff" + buf.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    return response
