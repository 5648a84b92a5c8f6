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
import datetime
import io
import unicodedata
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
    # A date typed in Excel is a date cell (openpyxl reads it as a datetime at midnight): it is
    # read as the date it shows, as every kind's date parser takes it.
    if isinstance(value, datetime.datetime):
        return value.date().isoformat() if value.time() == datetime.time() else value.isoformat(sep=" ")
    if isinstance(value, datetime.date):
        return value.isoformat()
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

    What a kind declares besides is all its template file and the import API need:
    - ``label``: the kind's name (translated), for pages, the API and the template's file;
    - ``labels``: column → the Chinese header its template writes ("客户编码"); the reader takes
      it as an alias too, before ``aliases``;
    - ``example``: column → the value of the template's one example row, a row that imports
      cleanly on an empty company once ``example_setup(actor)`` (optional) has created what it
      refers to (the customer a contact names). A ``str`` is written as text (codes, phones and
      barcodes keep their leading zeros), a number as a number;
    - ``notes``: column → what the column takes ("箱/包/个", "YYYY-MM-DD"), on the template;
    - ``roles``: who may import the kind (admins always may): the roles of the page offering it.
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
    label: str = ""
    labels: dict[str, str] = field(default_factory=dict)
    example: dict = field(default_factory=dict)
    notes: dict[str, str] = field(default_factory=dict)
    roles: tuple[str, ...] = ()
    example_setup: Callable | None = None
    # ``finish(written, actor)`` (optional) runs after the last row, inside the import's
    # transaction, with what each ``write`` returned: to announce once what the whole file
    # changed rather than once per row.
    finish: Callable | None = None

    @property
    def title(self) -> str:
        return str(self.label or self.kind)

    def header_of(self, column: str) -> str:
        """The header the template writes for ``column`` (its Chinese label, else its name)."""
        return self.labels.get(column) or column


@dataclass
class ImportResult:
    rows: list[dict]
    errors: list[dict]  # {"row": n (1 = header), "column": name, "message": text}

    @property
    def ok(self) -> bool:
        return not self.errors


def _header_key(text) -> str:
    """A header as compared: full-width forms as their ASCII ones (（天） as (天)), no spaces
    around, lower case."""
    return unicodedata.normalize("NFKC", str(text or "")).strip().lower()


def _column_names(spec: ImportSpec, header: list[str]) -> list[str]:
    """The column each header names: a column's own name, its template label, or an alias."""
    known = {_header_key(k): v for k, v in spec.aliases.items()}
    known.update({_header_key(label): column for column, label in spec.labels.items()})
    known.update({_header_key(column): column for column in spec.columns})
    return [known.get(_header_key(h), h) for h in header]


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
            written = []
            for done, row in enumerate(result.rows, start=1):
                current = row["row"]
                written.append(spec.write({k: v for k, v in row.items() if k != "row"}, actor))
                if progress is not None and done % 200 == 0:
                    progress(done)
            current = None
            if spec.finish is not None:
                spec.finish(written, actor)
            if on_success is not None:
                on_success()
    except ValidationError as exc:
        detail = exc.message_dict if hasattr(exc, "error_dict") else {"": exc.messages}
        result.errors = [
            {"row": current, "column": col, "message": m} for col, msgs in detail.items() for m in msgs
        ]
    return result


# --- template files ------------------------------------------------------------------------------

NOTES_SHEET = "说明"
_TEXT_FORMAT = "@"
_REQUIRED_FILL = "FFF2CC"


def _display_width(value) -> int:
    """Columns a value takes in a spreadsheet: a Chinese character takes two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in str(value))


def template_workbook(spec: ImportSpec) -> bytes:
    """The template file of ``spec`` (xlsx): its headers (the Chinese labels, bold, required ones
    shaded, each with a comment saying what it takes), the example row below them (a text column
    formatted as text, so that codes, phones and barcodes keep their leading zeros), the header
    row frozen; and a second sheet, ``说明``, listing every column, whether it is required and
    what it takes. ``read_rows`` reads the first sheet back, and ``import_check`` takes every
    header it wrote."""
    from openpyxl import Workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import Font, PatternFill
    from openpyxl.utils import get_column_letter

    bold = Font(bold=True)
    shaded = PatternFill("solid", start_color=_REQUIRED_FILL, end_color=_REQUIRED_FILL)
    wb = Workbook()
    sheet = wb.active
    sheet.title = spec.title[:31]
    for index, column in enumerate(spec.columns, start=1):
        letter = get_column_letter(index)
        header = sheet.cell(row=1, column=index, value=spec.header_of(column))
        header.font = bold
        required = column in spec.required
        if required:
            header.fill = shaded
        note = _template_note(spec, column, required)
        if note:
            header.comment = Comment(note, "Tandem", width=240, height=90)
        example = spec.example.get(column)
        if isinstance(example, str):
            sheet.column_dimensions[letter].number_format = _TEXT_FORMAT
        if example not in (None, ""):
            cell = sheet.cell(row=2, column=index, value=example)
            if isinstance(example, str):
                cell.number_format = _TEXT_FORMAT
        width = max(_display_width(header.value), _display_width(example if example is not None else ""))
        sheet.column_dimensions[letter].width = min(max(width + 4, 10), 40)
    sheet.freeze_panes = "A2"

    notes = wb.create_sheet(NOTES_SHEET)
    headings = [_("Column"), _("Field"), _("Required"), _("What it takes"), _("Example")]
    notes.append([str(h) for h in headings])
    for cell in notes[1]:
        cell.font = bold
    for column in spec.columns:
        example = spec.example.get(column)
        notes.append(
            [
                spec.header_of(column),
                column,
                str(_("Yes")) if column in spec.required else "",
                str(spec.notes.get(column, "")),
                "" if example is None else str(example),
            ]
        )
    for letter, width in zip("ABCDE", (24, 24, 10, 60, 30), strict=True):
        notes.column_dimensions[letter].width = width
    notes.freeze_panes = "A2"

    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def _template_note(spec: ImportSpec, column: str, required: bool) -> str:
    parts = [str(_("Required."))] if required else []
    if spec.notes.get(column):
        parts.append(str(spec.notes[column]))
    return " ".join(parts)
