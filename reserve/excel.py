"""Excel exports: one helper writes every .xlsx the application sends.

Every cell goes through safe_cell, which neutralises formula injection (CSV/Excel injection, OWASP):
a text that Excel or another spreadsheet would read as a formula — starting with = + - @, or a tab or
carriage return — is prefixed with a single quote, so it is shown as the text it is.
"""

import datetime
import itertools
import tempfile

import xlsxwriter
from django.http import FileResponse
from django.utils import timezone
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


# XlsxWriter's options for data written as data: no text turned into a formula, a number or a link, whatever it
# looks like (safe_cell has neutralised formula triggers already; these keep XlsxWriter from guessing). In
# constant_memory mode each row is written out to a temporary file as soon as the next one starts, so a sheet of
# any length takes the memory of one row.
WORKBOOK_OPTIONS = {
    "constant_memory": True,
    "strings_to_formulas": False,
    "strings_to_numbers": False,
    "strings_to_urls": False,
}
_SHEET_NAME_FORBIDDEN = str.maketrans({c: "_" for c in "[]:*?/\\"})


def sheet_name(title: str) -> str:
    """A title Excel accepts for a sheet: at most 31 characters, none of [ ] : * ? / \\."""
    return str(title).translate(_SHEET_NAME_FORBIDDEN)[:31].strip("'") or "Sheet1"


def write_xlsx(out, headers, rows, *, sheet_title: str = "Sheet1") -> None:
    """One sheet written into the binary file `out` by XlsxWriter (constant memory): a header row, then the rows
    (any iterable, read once), each cell through safe_cell — dates as real dates, numbers as numbers, text as text."""
    workbook = xlsxwriter.Workbook(out, WORKBOOK_OPTIONS)
    sheet = workbook.add_worksheet(sheet_name(sheet_title))
    formats = {datetime.datetime: workbook.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"}),
               datetime.date: workbook.add_format({"num_format": "yyyy-mm-dd"})}
    for r, row in enumerate(itertools.chain([headers], rows)):
        for c, value in enumerate(row):
            value = safe_cell(value)
            if isinstance(value, str):
                sheet.write_string(r, c, value)
            elif isinstance(value, datetime.date):  # a datetime too
                sheet.write_datetime(r, c, value, formats[type(value)])
            else:
                sheet.write_number(r, c, value)
    workbook.close()


def xlsx_response(filename: str, headers, rows, *, sheet_title: str = "Sheet1") -> FileResponse:
    """A download of one sheet (write_xlsx), written to a temporary file that the response streams."""
    out = tempfile.TemporaryFile()
    write_xlsx(out, headers, rows, sheet_title=sheet_title)
    out.seek(0)
    if not filename.lower().endswith(".xlsx"):
        filename += ".xlsx"
    response = FileResponse(out, as_attachment=True, filename=filename, content_type=XLSX_CONTENT_TYPE)
    response["X-Content-Type-Options"] = "nosniff"
    return response
