"""Writing spreadsheets: .xlsx (openpyxl in write-only mode, so a large list
streams to disk row by row) and CSV (UTF-8 with a BOM, so Excel reads the
Chinese right), and the HTTP responses that carry them.

Every text cell is neutralised against formula injection (OWASP, "CSV
Injection"): a text that begins with =, +, -, @, a tab or a carriage return
would be taken for a formula by Excel or LibreOffice. In CSV such a cell gets
a leading apostrophe; in .xlsx it is written as a string cell (never a
formula) with Excel's quote prefix, so editing the cell keeps it text too.
Numbers and dates are written as numbers and dates and are never touched."""

import csv
import datetime as dt
import re
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from copy import copy
from dataclasses import dataclass
from decimal import Decimal
from typing import IO, Any

from django.contrib import messages
from django.http import FileResponse, Http404, HttpResponseRedirect, StreamingHttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.styles.cell_style import StyleArray
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from .results import ImportReport

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_TYPE = "text/csv; charset=utf-8"
BOM = "\ufeff"

# What a cell may not begin with (OWASP's list: formula starters and the
# characters that make a spreadsheet look past them).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
# Excel keeps at most this many characters in one cell.
EXCEL_CELL_MAX = 32_767
# Control characters XML 1.0 (and so .xlsx) cannot hold.
_ILLEGAL_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
# A list exported from a web page holds at most this many rows as .xlsx (it is
# built whole before it is sent); longer lists are exported as CSV, which streams.
WEB_XLSX_MAX_ROWS = 100_000


def formula_like(text: str) -> bool:
    return text.startswith(FORMULA_TRIGGERS)


def csv_text(value: Any) -> str:
    """A value as one CSV cell: numbers plain, dates ISO, datetimes local
    time, and text neutralised with a leading apostrophe."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, Decimal):
        return f"{value.normalize():f}"
    if isinstance(value, dt.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, dt.date):
        return value.isoformat()
    text = str(value).replace("\x00", "")
    return "'" + text if formula_like(text) else text


class _Line:
    """A file-like object whose write returns what it was given (Django's
    recipe for streaming CSV)."""

    def write(self, value: str) -> str:
        return value


def csv_lines(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> Iterator[str]:
    """The CSV text line by line, the BOM first."""
    writer = csv.writer(_Line(), lineterminator="\r\n")
    yield BOM + writer.writerow([csv_text(value) for value in header])
    for row in rows:
        yield writer.writerow([csv_text(value) for value in row])


# ------------------------------------------------------------------- .xlsx

_THIN = Side(style="thin", color="FF9E9E9E")
BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
TITLE_FONT = Font(name="宋体", size=16, bold=True)
SUBTITLE_FONT = Font(name="宋体", size=10, color="FF555555")
HEADER_FONT = Font(name="黑体", size=11, bold=True)
HEADER_FILL = PatternFill("solid", fgColor="FFD9E1F2")
BODY_FONT = Font(name="宋体", size=10)
# Overdue rows: the light red offices use for 逾期.
HIGHLIGHT_FILL = PatternFill("solid", fgColor="FFF8CBAD")
HIGHLIGHT_FONT = Font(name="宋体", size=10, color="FF9C0006")
CENTRE = Alignment(horizontal="center", vertical="center", wrap_text=True)
WRAP = Alignment(vertical="top", wrap_text=True)
TOP = Alignment(vertical="top")
DATE_FORMAT = "yyyy-mm-dd"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"
PERCENT_FORMAT = "0%"


class Percent(int):
    """A whole percent, written as a number that Excel shows with a % sign."""


@dataclass(frozen=True)
class Column:
    header: str
    width: float = 12  # in characters of the default font; a CJK character is about 2
    wrap: bool = False


class XlsxWriter:
    """One worksheet written row by row: optional title rows merged across the
    columns, a header row that is frozen, filtered and repeated on every
    printed page, then the data rows, bordered, with highlighted rows filled.
    Printed landscape on A4, fitted to the page's width."""

    def __init__(
        self,
        columns: Sequence[Column],
        *,
        sheet_title: str = "Sheet1",
        title_rows: Sequence[str] = (),
        freeze_columns: int = 0,
        workbook: Workbook | None = None,
    ):
        """`workbook`: a write-only workbook to add this sheet to (a report of
        several sheets); by default the writer's own, of this one sheet."""
        self.columns = list(columns)
        self.workbook = workbook if workbook is not None else Workbook(write_only=True)
        self.sheet = ws = self.workbook.create_sheet(_sheet_name(sheet_title))
        # openpyxl (3.1.5) places each appended cell by first trying it as a
        # value and catching the error: half the time of a large export. Every
        # row here is a list of cells, so they are placed directly.
        ws._values_to_row = _place_cells
        self.header_row = len(title_rows) + 1
        self.rows_written = 0
        self.notes = 0
        self._style_cache: dict[tuple, StyleArray] = {}
        width = len(self.columns)
        for index, column in enumerate(self.columns, start=1):
            ws.column_dimensions[get_column_letter(index)].width = column.width
        ws.freeze_panes = f"{get_column_letter(freeze_columns + 1)}{self.header_row + 1}"
        ws.print_title_rows = f"{self.header_row}:{self.header_row}"
        ws.page_setup.orientation = "landscape"
        ws.page_setup.paperSize = Worksheet.PAPERSIZE_A4
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 0
        ws.sheet_properties.pageSetUpPr.fitToPage = True
        ws.print_options.horizontalCentered = True
        for number, text in enumerate(title_rows, start=1):
            font = TITLE_FONT if number == 1 else SUBTITLE_FONT
            ws.row_dimensions[number].height = 30 if number == 1 else 18
            self._append([self._cell(text, font=font, alignment=CENTRE)])
            if width > 1:
                ws.merged_cells.add(f"A{number}:{get_column_letter(width)}{number}")
        ws.row_dimensions[self.header_row].height = 30
        self._append(
            [
                self._cell(c.header, font=HEADER_FONT, fill=HEADER_FILL, alignment=CENTRE)
                for c in self.columns
            ]
        )
        # The body's styles, one per column and highlight (cells share them).
        self._styles = {
            highlight: [
                {
                    "font": HIGHLIGHT_FONT if highlight else BODY_FONT,
                    "fill": HIGHLIGHT_FILL if highlight else None,
                    "alignment": WRAP if c.wrap else TOP,
                }
                for c in self.columns
            ]
            for highlight in (False, True)
        }

    def _append(self, cells: list) -> None:
        self.sheet.append(cells)

    def _cell(self, value: Any, *, font=BODY_FONT, fill=None, alignment=TOP) -> WriteOnlyCell:
        cell = WriteOnlyCell(self.sheet)
        number_format = None
        quote = False
        # The type is set here, not guessed by openpyxl: its guess makes a text
        # beginning with "=" a formula and "#N/A" an error value.
        if value is None:
            pass
        elif isinstance(value, str):
            value = _ILLEGAL_XML.sub("", value)
            if len(value) > EXCEL_CELL_MAX:
                value = value[: EXCEL_CELL_MAX - 1] + "…"
            # A text that looks like a formula is marked as Excel marks a text
            # typed after an apostrophe, so editing the cell keeps it text.
            quote = formula_like(value)
            cell._value, cell.data_type = value, "s"
        elif isinstance(value, bool):
            cell._value, cell.data_type = value, "b"
        elif isinstance(value, Percent):
            cell._value, cell.data_type = int(value) / 100, "n"
            number_format = PERCENT_FORMAT
        elif isinstance(value, int | float | Decimal):
            cell._value, cell.data_type = float(value) if isinstance(value, Decimal) else value, "n"
        elif isinstance(value, dt.datetime):
            if timezone.is_aware(value):
                value = timezone.make_naive(value)
            cell._value, cell.data_type = value, "d"
            number_format = DATETIME_FORMAT
        elif isinstance(value, dt.date):
            cell._value, cell.data_type = value, "d"
            number_format = DATE_FORMAT
        else:
            return self._cell(str(value), font=font, fill=fill, alignment=alignment)
        # Setting a style looks it up in the workbook's tables (slow, per cell):
        # each combination is looked up once and its indexes copied after.
        key = (id(font), id(fill), id(alignment), number_format, quote)
        style = self._style_cache.get(key)
        if style is None:
            if quote:
                cell.quotePrefix = True
            if number_format:
                cell.number_format = number_format
            cell.font = font
            cell.border = BORDER
            cell.alignment = alignment
            if fill is not None:
                cell.fill = fill
            style = self._style_cache[key] = copy(cell._style)
        else:
            cell._style = copy(style)
        return cell

    def append(self, values: Sequence[Any], *, highlight: bool = False) -> None:
        styles = self._styles[highlight]
        self._append([self._cell(value, **styles[i]) for i, value in enumerate(values)])
        self.rows_written += 1

    def note(self, text: str) -> None:
        """A line of text across the sheet (an empty list says so, a rule is stated)."""
        self.append([text])
        row = self.header_row + self.rows_written
        if len(self.columns) > 1:
            self.sheet.merged_cells.add(f"A{row}:{get_column_letter(len(self.columns))}{row}")
        self.notes += 1

    def finish(self) -> None:
        """Filter buttons on the header over the data rows (not the notes)."""
        if self.rows_written > self.notes:
            last = self.header_row + self.rows_written - self.notes
            self.sheet.auto_filter.ref = (
                f"A{self.header_row}:{get_column_letter(len(self.columns))}{last}"
            )

    def save(self, file: IO[bytes]) -> None:
        self.finish()
        self.workbook.save(file)


def _place_cells(cells: Sequence[WriteOnlyCell], row: int) -> Iterator[WriteOnlyCell]:
    for column, cell in enumerate(cells, start=1):
        cell.column, cell.row = column, row
        yield cell


def _sheet_name(title: str) -> str:
    # Excel's rules: at most 31 characters, none of []:*?/\
    return re.sub(r"[\[\]:*?/\\]", "", title)[:31] or "Sheet1"


def xlsx_bytes(write: Callable[[IO[bytes]], Any]) -> bytes:
    with tempfile.TemporaryFile() as file:
        write(file)
        file.seek(0)
        return file.read()


# ------------------------------------------------------------ the responses


def csv_response(lines: Iterable[str], filename: str) -> StreamingHttpResponse:
    """A CSV download that streams: rows are read and sent a chunk at a time."""
    response = StreamingHttpResponse(_encoded(lines), content_type=CSV_TYPE)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


def _encoded(lines: Iterable[str], chunk_chars: int = 64 * 1024) -> Iterator[bytes]:
    buffer: list[str] = []
    size = 0
    for line in lines:
        buffer.append(line)
        size += len(line)
        if size >= chunk_chars:
            yield "".join(buffer).encode("utf-8")
            buffer, size = [], 0
    if buffer:
        yield "".join(buffer).encode("utf-8")


def xlsx_response(write: Callable[[IO[bytes]], Any], filename: str) -> FileResponse:
    """An .xlsx download: the workbook is written to a temporary file (not
    memory), which the response then sends and closes."""
    file = tempfile.TemporaryFile()  # noqa: SIM115 (FileResponse closes it)
    try:
        write(file)
        file.seek(0)
    except BaseException:
        file.close()
        raise
    return FileResponse(file, as_attachment=True, filename=filename, content_type=XLSX_TYPE)


def export_filename(stem: str, extension: str) -> str:
    return f"{stem}-{timezone.localdate():%Y%m%d}.{extension}"


EXPORT_FORMATS = ("xlsx", "csv")


def export_format(request) -> str:
    """The format a list's export link asks for (?format=xlsx, the default, or csv)."""
    fmt = request.GET.get("format", "xlsx")
    if fmt not in EXPORT_FORMATS:
        raise Http404
    return fmt


def export_urls(request, view_name: str) -> dict[str, str]:
    """The export links of a list page: its current filters, without the page
    number, with ?format= for each format."""
    query = request.GET.copy()
    query.pop("page", None)
    urls = {}
    for fmt in EXPORT_FORMATS:
        query["format"] = fmt
        urls[fmt] = f"{reverse(view_name)}?{query.urlencode()}"
    return urls


def too_many_rows(request, list_view: str, count: int) -> HttpResponseRedirect:
    """Back to the list, as filtered, with why an .xlsx was not made."""
    messages.error(
        request,
        _(
            "%(count)d rows are too many for one Excel file from the web (at most %(max)d): "
            "narrow the filters, or export as CSV."
        )
        % {"count": count, "max": WEB_XLSX_MAX_ROWS},
    )
    query = request.GET.copy()
    query.pop("format", None)
    return redirect(f"{reverse(list_view)}?{query.urlencode()}")


# ---------------------------------------------------------- the error sheet

ERROR_COLUMNS = [
    Column("文件", 24, wrap=True),
    Column("行", 8),
    Column("列", 16, wrap=True),
    Column("内容", 30, wrap=True),
    Column("问题", 60, wrap=True),
]


def errors_xlsx(report: ImportReport) -> bytes:
    """The import's errors as a sheet to download, fix the file by and import
    again: one row per error (file, row, column, value, what is wrong)."""
    title = f"导入错误：{report.file_name}（共 {report.error_count} 处）"
    writer = XlsxWriter(ERROR_COLUMNS, sheet_title="导入错误", title_rows=[title])
    for error in report.errors:
        writer.append([report.file_name, error.row, error.column, error.value, error.message])
    left_out = report.error_count - len(report.errors)
    if left_out > 0:
        writer.append(
            ["", None, "", "", f"另有 {left_out} 处错误未列出：改正以上各处后再检查一次。"]
        )
    return xlsx_bytes(writer.save)
