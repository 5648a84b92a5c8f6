"""Spreadsheet import (xlsx and CSV), shared by customers, contacts and leads; exports are
``core.export``'s.

Import is all or nothing: every row is checked first, every error is reported with its row and
column, and only a file without errors is written (in one transaction).
"""

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

MAX_ROWS = 20000


def read_rows(upload) -> tuple[list[str], list[list]]:
    """Header and data rows of an uploaded .xlsx or .csv file."""
    name = (getattr(upload, "name", "") or "").lower()
    data = upload.read()
    if name.endswith(".xlsx"):
        from openpyxl import load_workbook

        try:
            wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except Exception:  # noqa: BLE001 - any parse failure is the user's file
            raise ValidationError({"file": _("This is not a readable Excel file.")})
        rows = [list(r) for r in wb.active.iter_rows(values_only=True)]
    elif name.endswith(".csv"):
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            try:
                text = data.decode("gb18030")
            except UnicodeDecodeError:
                raise ValidationError({"file": _("Save the CSV file as UTF-8.")})
        rows = list(csv.reader(io.StringIO(text)))
    else:
        raise ValidationError({"file": _("Upload an .xlsx or .csv file.")})
    rows = [r for r in rows if any(c not in (None, "") for c in r)]
    if not rows:
        raise ValidationError({"file": _("The file is empty.")})
    if len(rows) > MAX_ROWS + 1:
        raise ValidationError({"file": _("At most %(n)s rows per file.") % {"n": MAX_ROWS}})
    header = [str(h or "").strip().lower() for h in rows[0]]
    return header, rows[1:]


@dataclass
class ImportSpec:
    """Columns of one kind of import and how to check and write one row.

    ``clean(values, context) -> dict`` raises ``ValidationError`` by column name;
    ``write(cleaned, actor)`` writes one row (inside the import's one transaction).
    """

    kind: str
    columns: list[str]
    required: list[str]
    clean: Callable
    write: Callable
    aliases: dict[str, str] = field(default_factory=dict)


@dataclass
class ImportResult:
    rows: list[dict]
    errors: list[dict]  # {"row": n (1 = header), "column": name, "message": text}

    @property
    def ok(self) -> bool:
        return not self.errors


def import_check(spec: ImportSpec, header: list[str], rows: list[list]) -> ImportResult:
    names = [spec.aliases.get(h, h) for h in header]
    errors = []
    missing = [c for c in spec.required if c not in names]
    for col in missing:
        errors.append({"row": 1, "column": col, "message": _("This column is missing.")})
    if missing:
        return ImportResult(rows=[], errors=errors)
    cleaned_rows = []
    context: dict = {}
    for offset, raw in enumerate(rows, start=2):
        values = {
            names[i]: ("" if v is None else (str(v).strip() if not isinstance(v, int | float) else v))
            for i, v in enumerate(raw)
            if i < len(names) and names[i] in spec.columns
        }
        try:
            cleaned_rows.append({"row": offset, **spec.clean(values, context)})
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                for col, errs in exc.error_dict.items():
                    for e in errs:
                        for m in e.messages:
                            errors.append({"row": offset, "column": col, "message": m})
            else:
                for m in exc.messages:
                    errors.append({"row": offset, "column": "", "message": m})
    return ImportResult(rows=cleaned_rows, errors=errors)


def import_run(
    spec: ImportSpec, header: list[str], rows: list[list], *, actor, dry_run: bool
) -> ImportResult:
    """Check every row; write them all (one transaction) only when none has an error and this is
    not a dry run. A write that fails on one row rolls the whole file back and is reported."""
    result = import_check(spec, header, rows)
    if not result.ok or dry_run:
        return result
    try:
        with transaction.atomic():
            for row in result.rows:
                current = row["row"]
                spec.write({k: v for k, v in row.items() if k != "row"}, actor)
    except ValidationError as exc:
        detail = exc.message_dict if hasattr(exc, "error_dict") else {"": exc.messages}
        result.errors = [
            {"row": current, "column": col, "message": m} for col, msgs in detail.items() for m in msgs
        ]
    return result
