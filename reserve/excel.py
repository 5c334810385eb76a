"""Excel exports: one helper writes every .xlsx the application sends.

Every cell goes through safe_cell, which neutralises formula injection (CSV/Excel injection, OWASP):
a text that Excel or another spreadsheet would read as a formula — starting with = + - @, or a tab or
carriage return — is prefixed with a single quote, so it is shown as the text it is.
"""

import datetime
import tempfile

from django.http import FileResponse
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value):
    """A value openpyxl writes as data, never as a formula: text neutralised, times local and naive."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, (int, float)):
        return value
    if isinstance(value, datetime.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return value.replace(tzinfo=None)
    if isinstance(value, datetime.date):
        return value
    text = ILLEGAL_CHARACTERS_RE.sub("", str(value))  # control characters XML cannot hold
    if text.startswith(FORMULA_TRIGGERS):
        text = "'" + text
    return text


def xlsx_response(filename: str, headers, rows, *, sheet_title: str = "Sheet1") -> FileResponse:
    """A download of one sheet: a header row, then the rows (any iterable, read once), written by
    openpyxl in write-only mode to a temporary file that the response streams."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=sheet_title[:31])
    sheet.append([safe_cell(h) for h in headers])
    for row in rows:
        sheet.append([safe_cell(v) for v in row])
    out = tempfile.TemporaryFile()
    workbook.save(out)
    out.seek(0)
    if not filename.lower().endswith(".xlsx"):
        filename += ".xlsx"
    response = FileResponse(out, as_attachment=True, filename=filename, content_type=XLSX_CONTENT_TYPE)
    response["X-Content-Type-Options"] = "nosniff"
    return response
