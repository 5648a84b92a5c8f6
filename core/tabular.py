"""Spreadsheet import (xlsx and CSV), shared by every import kind (customers, contacts, leads,
suppliers, supplier prices); exports are ``core.export``'s.

Import is all or nothing: every row is checked first, every error is reported with its row and
column, and only a file without errors is written (in one transaction). A cell holding a formula
(``=…``, in an xlsx file or as CSV text) is refused: files are imported as values, and a formula
kept as text would run on the desk of whoever exports it later.

Reading is bounded before anything is parsed, so no file can hold a worker:
- the upload's size (``IMPORT_MAX_BYTES``, 10 MB by default) is checked first;
- an xlsx file is a zip: the sizes its members declare are checked before openpyxl opens it (at
  most ``IMPORT_MAX_UNZIPPED_BYTES`` in all, and no member expanding more than
  ``IMPORT_MAX_ZIP_RATIO`` times: a 140 KB sheet of a million rows is refused unopened); the zip
  reader itself never returns more than a member declares;
- rows are counted while they stream (openpyxl read-only, the CSV reader) and reading stops at
  ``MAX_ROWS``; a row has at most ``MAX_COLUMNS`` columns and a CSV field at most
  ``MAX_FIELD_CHARS`` characters;
- a CSV file is UTF-8 (with or without BOM) or GB18030/GBK, what Chinese Excel writes. Both are
  decoded strictly; a file in another encoding (Shift-JIS, Big5, Latin-1, UTF-16) is refused with
  a message, not read as garbage (``decode_csv``).
"""

import csv
import io
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

MAX_ROWS = 20000
MAX_COLUMNS = 64
MAX_FIELD_CHARS = 131072
# Of the non-ASCII characters of a GB18030 text, at least this share must be common Chinese
# characters (GB2312): text in another double-byte encoding read as GB18030 is rare characters.
_GB_COMMON_SHARE = 0.8


def _file_error(message: str) -> ValidationError:
    return ValidationError({"file": message})


def check_size(size: int | None) -> None:
    """Refuse an upload over ``IMPORT_MAX_BYTES`` (before reading it)."""
    limit = settings.IMPORT_MAX_BYTES
    if size is not None and size > limit:
        raise _file_error(
            _("The file is larger than %(mb)s MB. Split it into smaller files.")
            % {"mb": f"{limit / 1024 / 1024:g}"}
        )


def read_rows(upload) -> tuple[list[str], list[list]]:
    """Header and data rows of an uploaded .xlsx or .csv file (empty rows left out), every value
    a str, int, float or "" — within the limits above."""
    name = (getattr(upload, "name", "") or "").lower()
    if not name.endswith((".xlsx", ".csv")):
        raise _file_error(_("Upload an .xlsx or .csv file."))
    check_size(getattr(upload, "size", None))
    data = upload.read(settings.IMPORT_MAX_BYTES + 1)
    check_size(len(data))
    rows = _xlsx_rows(data) if name.endswith(".xlsx") else _csv_rows(data)
    if not rows:
        raise _file_error(_("The file is empty."))
    header = [str(h or "").strip().lower() for h in rows[0]]
    return header, rows[1:]


def _plain(value):
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int | float | str):
        return value
    return str(value)


def _kept(rows: list, row) -> bool:
    """Add a non-empty row; refuse the file once it has more than ``MAX_ROWS`` data rows."""
    values = [_plain(v) for v in row[:MAX_COLUMNS]]
    if not any(v != "" for v in values):
        return False
    if len(rows) > MAX_ROWS:  # the header and MAX_ROWS rows are in
        raise _file_error(_("At most %(n)s rows per file.") % {"n": MAX_ROWS})
    rows.append(values)
    return True


def check_xlsx_archive(data: bytes) -> None:
    """Refuse an xlsx whose zip members would expand too far, from the sizes they declare."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError):
        raise _file_error(_("This is not a readable Excel file."))
    total = sum(m.file_size for m in members)
    too_dense = any(
        m.file_size > 1024 * 1024 and m.file_size > settings.IMPORT_MAX_ZIP_RATIO * max(m.compress_size, 1)
        for m in members
    )
    if total > settings.IMPORT_MAX_UNZIPPED_BYTES or too_dense:
        raise _file_error(
            _("This Excel file expands to far more data than its size. Save it again, or as CSV.")
        )


def _xlsx_rows(data: bytes) -> list[list]:
    check_xlsx_archive(data)
    from openpyxl import load_workbook

    rows: list[list] = []
    try:
        # Formulas are read as written (``=…``), not as their last computed value, so that a
        # row holding one is refused (``import_check``) rather than imported as a stale value.
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
        try:
            for row in wb.active.iter_rows(values_only=True, max_col=MAX_COLUMNS):
                _kept(rows, row)
        finally:
            wb.close()
    except ValidationError:
        raise
    except Exception:  # noqa: BLE001 - any parse failure is the user's file
        raise _file_error(_("This is not a readable Excel file."))
    return rows


def decode_csv(data: bytes) -> str:
    """The text of a CSV file in UTF-8 (BOM or not) or GB18030/GBK; any other encoding is refused."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise _file_error(_("This CSV file is UTF-16. Save it as “CSV UTF-8” and upload it again."))
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("gb18030")
    except UnicodeDecodeError:
        text = None
    if text is not None and _looks_chinese(text):
        return text
    raise _file_error(
        _(
            "This CSV file is neither UTF-8 nor GB18030/GBK (it may be Shift-JIS, Big5 or Latin-1). "
            "Save it as “CSV UTF-8” and upload it again."
        )
    )


def _looks_chinese(text: str) -> bool:
    wide = [c for c in text if ord(c) > 127]
    if not wide:
        return True
    if any("\ue000" <= c <= "\uf8ff" for c in wide):  # private use: bytes of another encoding
        return False
    common = 0
    for c in wide:
        try:
            c.encode("gb2312")
        except UnicodeEncodeError:
            continue
        common += 1
    return common >= _GB_COMMON_SHARE * len(wide)


def _csv_rows(data: bytes) -> list[list]:
    text = decode_csv(data)
    rows: list[list] = []
    # The csv module's own limit on a field (131,072 characters, never changed here) is ours.
    reader = csv.reader(io.StringIO(text, newline=""))
    while True:
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error:
            raise _file_error(
                _("Row %(row)s: a field is longer than %(n)s characters, or its quotes are not closed.")
                % {"row": len(rows) + 1, "n": f"{MAX_FIELD_CHARS:,}"}
            )
        _kept(rows, row)
    return rows


@dataclass
class ImportSpec:
    """Columns of one kind of import and how to check and write one row.

    ``clean(values, context) -> dict`` raises ``ValidationError`` by column name; ``context``
    holds ``"user"`` (who imports: the same record rules as the forms apply) and what ``prepare``
    put there. ``prepare(rows, context)`` (optional) loads what the rows refer to in a few
    queries. ``write(cleaned, actor)`` writes one row (inside the import's one transaction).
    ``group`` names the import page that offers the kind.
    """

    kind: str
    columns: list[str]
    required: list[str]
    clean: Callable
    write: Callable
    aliases: dict[str, str] = field(default_factory=dict)
    prepare: Callable | None = None
    # The import page that offers this kind ("customers", "purchasing"): a page lists, checks
    # and confirms only its own kinds.
    group: str = ""
    # The template file's headers (column → Chinese header, also accepted as an alias), an
    # example row (column → value), a hint per column, and the roles that may import the kind.
    labels: dict = field(default_factory=dict)
    example: dict = field(default_factory=dict)
    notes: dict = field(default_factory=dict)
    roles: tuple = ()


@dataclass
class ImportResult:
    rows: list[dict]
    errors: list[dict]  # {"row": n (1 = header), "column": name, "message": text}

    @property
    def ok(self) -> bool:
        return not self.errors


def _column_names(spec: ImportSpec, header: list[str]) -> list[str]:
    return [spec.aliases.get(h, h) for h in header]


def _row_values(spec, names, raw) -> dict:
    return {
        names[i]: ("" if v is None else (str(v).strip() if not isinstance(v, int | float) else v))
        for i, v in enumerate(raw)
        if i < len(names) and names[i] in spec.columns
    }


def import_check(
    spec: ImportSpec, header: list[str], rows: list[list], *, user=None, progress: Callable | None = None
) -> ImportResult:
    names = _column_names(spec, header)
    errors = []
    missing = [c for c in spec.required if c not in names]
    for col in missing:
        errors.append({"row": 1, "column": col, "message": _("This column is missing.")})
    if missing:
        return ImportResult(rows=[], errors=errors)
    cleaned_rows = []
    context: dict = {"user": user}
    if spec.prepare is not None:
        spec.prepare([_row_values(spec, names, raw) for raw in rows], context)
    for offset, raw in enumerate(rows, start=2):
        values = _row_values(spec, names, raw)
        nul = [col for col, v in values.items() if isinstance(v, str) and "\x00" in v]
        if nul:
            for col in nul:
                errors.append(
                    {"row": offset, "column": col, "message": _("This value contains a NUL character.")}
                )
            continue
        formulas = [col for col, v in values.items() if isinstance(v, str) and v.startswith("=")]
        if formulas:
            for col in formulas:
                errors.append(
                    {
                        "row": offset,
                        "column": col,
                        "message": _("This cell holds a formula; enter its value."),
                    }
                )
            continue
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
        if progress is not None and offset % 500 == 0:
            progress(offset - 1)
    return ImportResult(rows=cleaned_rows, errors=errors)


def import_run(
    spec: ImportSpec,
    header: list[str],
    rows: list[list],
    *,
    actor,
    dry_run: bool,
    progress: Callable | None = None,
    on_success: Callable | None = None,
) -> ImportResult:
    """Check every row; write them all (one transaction) only when none has an error and this is
    not a dry run. A write that fails on one row rolls the whole file back and is reported.
    ``progress(rows done)`` is called now and then while writing; ``on_success()`` runs inside
    the transaction after the last row (to record the import as done with its rows)."""
    result = import_check(spec, header, rows, user=actor)
    if not result.ok or dry_run:
        return result
    current = None
    try:
        with transaction.atomic():
            for done, row in enumerate(result.rows, start=1):
                current = row["row"]
                spec.write({k: v for k, v in row.items() if k != "row"}, actor)
                if progress is not None and done % 200 == 0:
                    progress(done)
            if on_success is not None:
                on_success()
    except ValidationError as exc:
        detail = exc.message_dict if hasattr(exc, "error_dict") else {"": exc.messages}
        result.errors = [
            {"row": current, "column": col, "message": m} for col, msgs in detail.items() for m in msgs
        ]
    return result
