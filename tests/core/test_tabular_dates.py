import datetime
import io

from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from core.tabular import read_rows


def _xlsx(*rows) -> SimpleUploadedFile:
    wb = Workbook()
    for row in rows:
        wb.active.append(row)
    buffer = io.BytesIO()
    wb.save(buffer)
    return SimpleUploadedFile("dates.xlsx", buffer.getvalue())


def test_a_date_cell_of_an_excel_file_is_read_as_the_date_it_shows():
    _header, rows = read_rows(_xlsx(["due_date"], [datetime.datetime(2026, 1, 15)]))
    assert rows[0][0] == "2026-01-15"


def test_a_date_and_time_cell_keeps_its_time():
    _header, rows = read_rows(_xlsx(["at"], [datetime.datetime(2026, 1, 15, 9, 30)]))
    assert rows[0][0] == "2026-01-15 09:30:00"
