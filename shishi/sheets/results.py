"""What an import reports back: the same shape for appeals and ledger items, on
the command line, on the web page and in the downloadable error sheet."""

from collections.abc import Callable
from dataclasses import dataclass, field

# Errors kept in full; beyond this only the count grows (a broken file of a
# million rows must not fill memory with a million messages).
MAX_ERRORS_KEPT = 1000

# progress(rows_done, fraction_of_file_read or None when unknown)
Progress = Callable[[int, float | None], None]


@dataclass(frozen=True)
class RowError:
    """One thing wrong with one row: where, what was there, and what is wrong."""

    row: int  # the row number the spreadsheet program shows (header row included)
    column: str  # the column's header as written in the file; "" for the whole row
    value: str
    message: str

    def __str__(self) -> str:
        where = f"第 {self.row} 行" + (f"，“{self.column}”列" if self.column else "")
        value = f"（“{self.value}”）" if self.value else ""
        return f"{where}{value}：{self.message}"


class ImportRefused(Exception):
    """The file as a whole cannot be read: wrong type, wrong encoding, no header,
    a required column missing, too large. Nothing was stored."""

    def __init__(self, file_name: str, message: str, *, row: int | None = None, column=""):
        self.file_name, self.message, self.row, self.column = file_name, message, row, column
        super().__init__(str(self))

    def __str__(self) -> str:
        where = self.file_name
        if self.row is not None:
            where += f" 第 {self.row} 行"
        if self.column:
            where += f" “{self.column}”列"
        return f"{where}：{self.message}"


@dataclass
class ImportReport:
    file_name: str
    rows: int = 0  # data rows read
    valid: int = 0  # rows that passed every check
    created: int = 0  # records stored (0 unless committed)
    skipped: int = 0  # rows already imported before (re-import is idempotent)
    committed: bool = False
    error_count: int = 0
    errors: list[RowError] = field(default_factory=list)  # the first MAX_ERRORS_KEPT
    # Names in the file that match nothing stored, by column (units, leaders…).
    unmatched: dict[str, set[str]] = field(default_factory=dict)

    def add_error(self, error: RowError) -> None:
        self.error_count += 1
        if len(self.errors) < MAX_ERRORS_KEPT:
            self.errors.append(error)

    @property
    def ok(self) -> bool:
        return self.error_count == 0
