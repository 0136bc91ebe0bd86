"""Read the tables offices export (.xlsx or .csv) into plain rows, and write CSV.

A table is a header row and data rows; cells keep their text. CSV files may be
UTF-8, UTF-8 with BOM or GB18030 (what Excel on a Chinese Windows writes).
Workbooks are read with openpyxl in read-only mode, first sheet only. Rows
that are entirely empty are dropped (Excel often reports thousands of blank
rows past the data). Every refusal is a `TableError` naming the file, and the
row and column where one is at fault, so a command can print it as it is.

Times: 留言时间 mixes strings such as ``2020/1/6 12:09:38`` with real Excel
datetimes; `parse_time` reads both (naive values, as the source gives no zone).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path


class TableError(ValueError):
    """A table cannot be used; the message names the file (and row/column)."""


@dataclass(frozen=True)
class Table:
    path: Path
    header: list[str]
    rows: list[list[str]]  # data rows, each as long as the header; row i is file row i + 2

    def __len__(self) -> int:
        return len(self.rows)

    def has(self, column: str) -> bool:
        return column in self.header

    def column(self, name: str) -> list[str]:
        """The cells of one column; a TableError naming the file if it is missing."""
        try:
            index = self.header.index(name)
        except ValueError:
            raise TableError(
                f"{self.path}: no column “{name}” (the header row has: {', '.join(self.header)})."
            ) from None
        return [row[index] for row in self.rows]

    def first_present(self, names: Sequence[str]) -> str | None:
        return next((name for name in names if name in self.header), None)


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # ids read back as numbers keep their plain form
    return str(value)


def _read_xlsx(path: Path) -> list[list[str]]:
    import openpyxl

    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, OSError, KeyError, ValueError, TypeError) as err:
        raise TableError(f"{path}: not a readable .xlsx workbook ({err}).") from None
    try:
        sheet = workbook.worksheets[0]
        return [[_cell_text(v) for v in row] for row in sheet.iter_rows(values_only=True)]
    finally:
        workbook.close()


def decode_text(raw: bytes, *, path: Path | str = "<input>") -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise TableError(f"{path}: neither UTF-8 nor GB18030 text.")


def _read_csv(path: Path) -> list[list[str]]:
    try:
        raw = path.read_bytes()
    except OSError as err:
        raise TableError(f"{path}: cannot be read ({err.strerror}).") from None
    text = decode_text(raw, path=path)
    try:
        return list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as err:
        raise TableError(f"{path}: not a readable CSV file ({err}).") from None


def read_table(path: Path | str) -> Table:
    """The first sheet (or the CSV) as a Table; refuses missing, unreadable or empty files."""
    path = Path(path)
    if not path.is_file():
        raise TableError(f"{path}: no such file.")
    suffix = path.suffix.lower()
    if suffix == ".xlsx":
        raw_rows = _read_xlsx(path)
    elif suffix == ".csv":
        raw_rows = _read_csv(path)
    else:
        raise TableError(f"{path}: use a .xlsx or .csv file, not “{suffix or 'no suffix'}”.")
    rows = raw_rows
    # Keep the file's row numbers for messages: drop blank rows only at the end.
    while rows and not any(cell.strip() for cell in rows[-1]):
        rows.pop()
    if not rows:
        raise TableError(f"{path}: the file is empty (no header row).")
    header = [cell.strip() for cell in rows[0]]
    while header and not header[-1]:
        header.pop()
    if not header:
        raise TableError(f"{path}: row 1 (the header row) is empty.")
    width = len(header)
    data = [(r + [""] * width)[:width] for r in rows[1:]]
    if not data:
        raise TableError(f"{path}: the file has a header row but no data rows.")
    return Table(path=path, header=header, rows=data)


def require_columns(table: Table, names: Iterable[str]) -> None:
    missing = [name for name in names if not table.has(name)]
    if missing:
        raise TableError(
            f"{table.path}: no column {', '.join(f'“{m}”' for m in missing)} "
            f"(the header row has: {', '.join(table.header)})."
        )


def require_cells(table: Table, name: str) -> list[str]:
    """A column whose every cell must be filled; names the first empty row."""
    cells = table.column(name)
    for i, cell in enumerate(cells):
        if not cell.strip():
            raise TableError(f"{table.path}: row {i + 2}, column “{name}”: the cell is empty.")
    return cells


def write_csv(path: Path | str, header: Sequence[str], rows: Iterable[Sequence[object]]) -> None:
    """UTF-8 with BOM, so that Excel opens Chinese text correctly."""
    with open(path, "w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)


_TIME_RE = re.compile(
    r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?(?:[ T]+(\d{1,2}):(\d{1,2})(?::(\d{1,2}))?)?"
)


def parse_time(value: object) -> dt.datetime | None:
    """``2020/1/6 12:09:38``, ``2020-01-06``, ``2020年1月6日`` or a datetime; None if blank/unreadable."""
    if isinstance(value, dt.datetime):
        return value
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day)  # noqa: DTZ001 - source has no zone
    match = _TIME_RE.search(str(value or ""))
    if not match:
        return None
    parts = [int(p) if p else 0 for p in match.groups()]
    try:
        return dt.datetime(*parts)  # noqa: DTZ001 - source has no zone
    except ValueError:
        return None


DEFAULT_TEXT_COLUMNS = ("留言主题", "留言详情")
DEFAULT_LABEL_COLUMNS = ("一级分类", "一级标签")
DEFAULT_ID_COLUMN = "留言编号"


def text_columns(table: Table, requested: Sequence[str] | None) -> list[str]:
    """The columns that make an appeal's text: those asked for (all must exist),
    else whichever of 留言主题/留言详情 the table has."""
    if requested:
        require_columns(table, requested)
        return list(requested)
    present = [c for c in DEFAULT_TEXT_COLUMNS if table.has(c)]
    if not present:
        raise TableError(
            f"{table.path}: no text column: expected “留言主题” and/or “留言详情”, or name "
            f"them with --text-columns (the header row has: {', '.join(table.header)})."
        )
    return present


def table_texts(table: Table, columns: Sequence[str]) -> list[str]:
    """Each row's text: the columns joined title-first, normalised (see text.appeal_text)."""
    from shishi.combing.text import appeal_text

    cells = [table.column(c) for c in columns]
    if len(cells) == 1:
        return [appeal_text(c) for c in cells[0]]
    out = []
    for row in zip(*cells, strict=True):
        out.append(appeal_text(row[0], "。".join(r for r in row[1:] if r and r.strip())))
    return out


def int_column(table: Table, name: str) -> list[int]:
    """A column of counts (blank is 0); names the row of a cell that is not a number."""
    out = []
    for i, cell in enumerate(table.column(name)):
        value = cell.strip()
        if not value:
            out.append(0)
            continue
        try:
            out.append(int(float(value)))
        except ValueError:
            raise TableError(
                f"{table.path}: row {i + 2}, column “{name}”: “{value}” is not a number."
            ) from None
    return out
