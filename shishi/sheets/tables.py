"""Open a spreadsheet file (.xlsx or .csv) and stream its rows.

What kind of file it is comes from its first bytes, never from its name: an
.xlsx workbook is a zip archive, an old .xls an OLE container, a CSV text in
UTF-8 (with or without BOM) or GB18030 (which contains GBK). The rows are read
one at a time, so memory stays bounded whatever the file's size; a workbook's
zip directory is checked before openpyxl unpacks anything (a zip bomb named
.xlsx is refused by its declared sizes, which Python's zipfile never exceeds).

    with open_table(path, name="诉求.xlsx") as table:
        for row_number, values in table.rows():  # values aligned to table.headers
            ...
"""

import codecs
import csv
import io
import itertools
import os
import zipfile
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.utils.translation import gettext as _

from .results import ImportRefused

# Rows searched for the header when the caller says which names it must hold
# (office sheets put a title and a date above the header).
HEADER_SCAN_ROWS = 20
# What a workbook may unpack to, all members together, unless settings say otherwise.
DEFAULT_MAX_UNCOMPRESSED_BYTES = 1024**3
# A member this much larger than its compressed size is a bomb, not a sheet:
# worksheet XML compresses 5 to 20 times; deflate cannot exceed about 1,030.
MAX_COMPRESSION_RATIO = 200
# …unless it is small anyway (a sheet of empty formatted rows compresses well).
RATIO_CHECKED_ABOVE = 10 * 1024**2
MAX_ZIP_MEMBERS = 10_000
# One physical CSV line longer than this is not a table row (and would
# otherwise be read into memory whole).
MAX_LINE_BYTES = 4 * 1024**2
SAMPLE_BYTES = 64 * 1024

XLSX_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0"
UTF8_BOM = codecs.BOM_UTF8
UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)


class Table:
    """An open spreadsheet: its header and a stream of its data rows."""

    headers: list[str]
    header_row: int  # 1-based, as the spreadsheet program numbers rows

    def __init__(self, name: str, raw_rows: Iterator[tuple[int, Sequence]], expect: Sequence[str]):
        self.name = name
        self._raw = raw_rows
        self._closers: list = []
        self.headers, self.header_row = self._find_header(expect)

    # The header ------------------------------------------------------------

    def _find_header(self, expect: Sequence[str]) -> tuple[list[str], int]:
        wanted = {str(name).strip() for name in expect}
        titles: list[tuple[int, Sequence]] = []
        for number, values in self._raw:
            if wanted and number > HEADER_SCAN_ROWS:
                break
            if _is_empty(values):
                continue
            cells = [_header_text(value) for value in values]
            if not wanted and sum(1 for cell in cells if cell) == 1 and number < HEADER_SCAN_ROWS:
                # An exported sheet's title rows ("XX区诉求清单", "导出日期…") are
                # one cell wide; the header names several columns.
                titles.append((number, values))
                continue
            if not wanted or wanted <= set(cells):
                return self._checked_headers(cells, number), number
        if titles:
            # A one-column file after all: its first row is the header.
            (number, values), rest = titles[0], titles[1:]
            self._raw = itertools.chain(rest, self._raw)
            cells = [_header_text(value) for value in values]
            return self._checked_headers(cells, number), number
        if wanted:
            raise ImportRefused(
                self.name,
                _("No header row in the first %(count)d rows: it must name the columns %(names)s.")
                % {"count": HEADER_SCAN_ROWS, "names": "、".join(expect)},
            )
        raise ImportRefused(self.name, _("The file holds no rows: it is empty."))

    def _checked_headers(self, cells: list[str], row: int) -> list[str]:
        # Empty cells after the last named column are formatting, not columns.
        while cells and not cells[-1]:
            cells.pop()
        seen: set[str] = set()
        for index, header in enumerate(cells):
            if not header:
                raise ImportRefused(
                    self.name,
                    _("Column %(column)s of the header row has no name.")
                    % {"column": column_letter(index)},
                    row=row,
                )
            if header in seen:
                raise ImportRefused(
                    self.name,
                    _("The header “%(header)s” appears twice: give each column its own name.")
                    % {"header": header},
                    row=row,
                )
            seen.add(header)
        return cells

    # The rows --------------------------------------------------------------

    def rows(self) -> Iterator[tuple[int, list]]:
        """(row number, values aligned to the headers); empty rows skipped,
        missing trailing cells None, cells beyond the last header dropped."""
        width = len(self.headers)
        for number, values in self._raw:
            if _is_empty(values):
                continue
            values = list(values[:width])
            if len(values) < width:
                values.extend([None] * (width - len(values)))
            yield number, values

    def fraction_read(self) -> float | None:
        return None

    # The file --------------------------------------------------------------

    def close(self) -> None:
        while self._closers:
            self._closers.pop()()

    def __enter__(self) -> "Table":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


class _CsvTable(Table):
    def __init__(self, name, raw_rows, expect, binary: IO[bytes], start: int, size: int):
        self._binary, self._start, self._size = binary, start, size
        super().__init__(name, raw_rows, expect)

    def fraction_read(self) -> float | None:
        if self._size <= 0:
            return None
        try:
            position = self._binary.tell()
        except (OSError, ValueError):
            return None
        return min(1.0, max(0.0, (position - self._start) / self._size))


class _XlsxTable(Table):
    def __init__(self, name, raw_rows, expect, binary: IO[bytes], member: zipfile.ZipInfo | None):
        self._binary, self._member = binary, member
        super().__init__(name, raw_rows, expect)

    def fraction_read(self) -> float | None:
        # openpyxl reads the sheet's compressed bytes from our file object, in
        # order: how far into that member the file has been read.
        member = self._member
        if member is None or member.compress_size <= 0:
            return None
        try:
            position = self._binary.tell()
        except (OSError, ValueError):
            return None
        done = (position - member.header_offset) / member.compress_size
        return min(1.0, max(0.0, done))


def open_table(
    source: str | os.PathLike | IO[bytes],
    *,
    name: str,
    expect: Sequence[str] = (),
    sheet: str | None = None,
) -> Table:
    """Open `source` (a path or a binary file object) as a table. `name` is the
    file name messages use. With `expect`, the header row is the first of the
    first 20 rows that holds all those names; otherwise the first non-empty
    row. `sheet` names a worksheet (default: the first). Raises ImportRefused."""
    owned = None
    if isinstance(source, str | os.PathLike):
        try:
            owned = binary = open(Path(source), "rb")  # noqa: SIM115 (closed by the table)
        except OSError as err:
            raise ImportRefused(
                name, _("Cannot open the file: %(error)s") % {"error": err}
            ) from None
    else:
        binary = _seekable(source)
        if binary is not source and binary is not getattr(source, "file", None):
            owned = binary  # a copy of a stream that cannot be rewound
    try:
        table = _open(binary, name=name, expect=expect, sheet=sheet)
    except BaseException:
        if owned is not None:
            owned.close()
        raise
    if owned is not None:
        table._closers.append(owned.close)
    return table


def _open(binary: IO[bytes], *, name: str, expect: Sequence[str], sheet: str | None) -> Table:
    start = binary.tell()
    head = binary.read(SAMPLE_BYTES)
    binary.seek(start)
    if not head.strip(b" \t\r\n" + UTF8_BOM):
        raise ImportRefused(name, _("The file is empty."))
    if head.startswith(XLSX_MAGIC):
        return _open_xlsx(binary, name=name, expect=expect, sheet=sheet)
    if head.startswith(OLE_MAGIC):
        raise ImportRefused(
            name,
            _(
                "This is an old Excel (.xls) or password-protected workbook: open it in "
                "Excel, save it as .xlsx without a password, and import that."
            ),
        )
    if name.lower().endswith((".xlsx", ".xlsm")):
        raise ImportRefused(name, _("The file is named .xlsx but is not an Excel workbook."))
    return _open_csv(binary, head, start=start, name=name, expect=expect)


def _seekable(source) -> IO[bytes]:
    """A file object we can peek into and rewind (uploads are; a pipe is not)."""
    try:
        if source.seekable():
            return source
    except AttributeError:
        pass
    # Django's UploadedFile wraps the real file; anything else is spooled.
    inner = getattr(source, "file", None)
    if inner is not None and getattr(inner, "seekable", lambda: False)():
        return inner
    import tempfile

    spool = tempfile.SpooledTemporaryFile(max_size=8 * 1024**2)  # noqa: SIM115
    while chunk := source.read(1024**2):
        spool.write(chunk)
    spool.seek(0)
    return spool


# xlsx ----------------------------------------------------------------------


def _open_xlsx(binary: IO[bytes], *, name: str, expect, sheet: str | None) -> Table:
    members = _checked_zip(binary, name)
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    if "xl/workbook.xml" not in members:
        raise ImportRefused(name, _("The file is a zip archive but not an Excel workbook (.xlsx)."))
    try:
        workbook = openpyxl.load_workbook(binary, read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, ValueError, OSError) as err:
        raise ImportRefused(
            name, _("The workbook cannot be read: %(error)s") % {"error": err}
        ) from None
    try:
        if sheet is None:
            if not workbook.worksheets:
                raise ImportRefused(name, _("The workbook has no worksheet."))
            worksheet = workbook.worksheets[0]
        elif sheet in workbook.sheetnames:
            worksheet = workbook[sheet]
        else:
            raise ImportRefused(
                name, _("The workbook has no worksheet named “%(sheet)s”.") % {"sheet": sheet}
            )
        if not hasattr(worksheet, "reset_dimensions"):
            raise ImportRefused(name, _("The first sheet is a chart, not a table."))
        # The dimensions a file declares are often wrong; read what is there.
        worksheet.reset_dimensions()
        member = members.get(getattr(worksheet, "_worksheet_path", ""))
        raw = _xlsx_rows(worksheet, name)
        table = _XlsxTable(name, raw, expect, binary, member)
    except BaseException:
        workbook.close()
        raise
    table._closers.append(workbook.close)
    return table


def _checked_zip(binary: IO[bytes], name: str) -> dict[str, zipfile.ZipInfo]:
    """The archive's members by name, once its declared sizes are known to be sane."""
    start = binary.tell()
    try:
        with zipfile.ZipFile(binary) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as err:
        raise ImportRefused(
            name,
            _("The file looks like an .xlsx workbook but is damaged (%(error)s).") % {"error": err},
        ) from None
    finally:
        binary.seek(start)
    if len(infos) > MAX_ZIP_MEMBERS:
        raise ImportRefused(
            name, _("The archive holds %(count)d files: not a workbook.") % {"count": len(infos)}
        )
    limit = getattr(
        settings, "SHISHI_IMPORT_MAX_UNCOMPRESSED_BYTES", DEFAULT_MAX_UNCOMPRESSED_BYTES
    )
    total = 0
    for info in infos:
        total += info.file_size
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > RATIO_CHECKED_ABOVE and ratio > MAX_COMPRESSION_RATIO:
            raise ImportRefused(
                name,
                _(
                    "Refused: “%(member)s” inside the file would unpack to %(size)s, "
                    "%(ratio)d times its packed size. That is a zip bomb, not a workbook."
                )
                % {"member": info.filename, "size": _size(info.file_size), "ratio": ratio},
            )
    if total > limit:
        raise ImportRefused(
            name,
            _("Refused: the workbook would unpack to %(size)s, more than the %(limit)s allowed.")
            % {"size": _size(total), "limit": _size(limit)},
        )
    return {info.filename: info for info in infos}


def _xlsx_rows(worksheet, name: str) -> Iterator[tuple[int, Sequence]]:
    # Rows come in order from row 1; openpyxl fills the rows a file leaves out.
    number = 0
    try:
        for number, values in enumerate(worksheet.iter_rows(values_only=True), start=1):
            yield number, values
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, EOFError) as err:
        raise ImportRefused(
            name,
            _("The workbook is damaged after this row (%(error)s).") % {"error": err},
            row=number,
        ) from None
    except Exception as err:  # lxml/expat parse errors have no common base
        if type(err).__name__ in ("ParseError", "XMLSyntaxError", "ExpatError"):
            raise ImportRefused(
                name,
                _("The workbook is damaged after this row (%(error)s).") % {"error": err},
                row=number,
            ) from None
        raise


# CSV -----------------------------------------------------------------------


def _open_csv(binary: IO[bytes], head: bytes, *, start: int, name: str, expect) -> Table:
    if head.startswith(UTF16_BOMS):
        raise ImportRefused(
            name, _("The file is in UTF-16: save it as CSV in UTF-8 (or GB18030) and import that.")
        )
    if b"\x00" in head:
        raise ImportRefused(name, _("The file is not a spreadsheet (.xlsx or .csv)."))
    encoding = _csv_encoding(head, name)
    binary.seek(0, os.SEEK_END)
    size = binary.tell() - start
    binary.seek(start + (len(UTF8_BOM) if head.startswith(UTF8_BOM) else 0))
    buffered = io.BufferedReader(_Unclosing(binary), buffer_size=256 * 1024)
    table = _CsvTable(name, _csv_rows(buffered, encoding, name), expect, binary, start, size)
    table._closers.append(buffered.close)
    return table


def _csv_encoding(head: bytes, name: str) -> str:
    if head.startswith(UTF8_BOM):
        return "utf-8"
    # The sample may end inside a character: decode it as a stream would.
    for encoding in ("utf-8", "gb18030"):
        try:
            text = codecs.getincrementaldecoder(encoding)("strict").decode(head, final=False)
        except UnicodeDecodeError:
            continue
        if _looks_like_text(text):
            return encoding
        break
    raise ImportRefused(
        name,
        _(
            "The file is neither UTF-8 nor GB18030 (GBK) text, nor an .xlsx workbook: "
            "save it as .xlsx, or as CSV in UTF-8."
        ),
    )


def _looks_like_text(text: str) -> bool:
    """Binary junk decodes as GB18030 more often than not; real text has few
    control characters besides tab and line ends."""
    controls = sum(1 for ch in text if ch < " " and ch not in "\t\r\n")
    return controls * 100 <= len(text)


def _csv_rows(buffered: io.BufferedReader, encoding: str, name: str) -> Iterator[tuple[int, list]]:
    """CSV records, decoded a physical line at a time (a line feed is never part
    of a UTF-8 or GB18030 character), so a decoding error names its row."""
    number = 0

    def lines() -> Iterator[str]:
        while line := buffered.readline(MAX_LINE_BYTES):
            if len(line) == MAX_LINE_BYTES and not line.endswith(b"\n"):
                raise ImportRefused(
                    name,
                    _("A line longer than %(size)s: not a table row.")
                    % {"size": _size(MAX_LINE_BYTES)},
                    row=number + 1,
                )
            try:
                yield line.decode(encoding)
            except UnicodeDecodeError as err:
                raise ImportRefused(
                    name,
                    _(
                        "The text cannot be read as %(encoding)s here (bytes %(bytes)s): the "
                        "file mixes encodings or is damaged. Save it again as CSV in UTF-8."
                    )
                    % {
                        "encoding": "UTF-8" if encoding == "utf-8" else "GB18030",
                        "bytes": err.object[err.start : err.start + 4].hex(" "),
                    },
                    row=number + 1,
                ) from None

    try:
        for number, values in enumerate(csv.reader(lines()), start=1):  # noqa: B007
            yield number, [value if value != "" else None for value in values]
    except csv.Error as err:
        raise ImportRefused(
            name, _("Not valid CSV here: %(error)s") % {"error": err}, row=number + 1
        ) from None


class _Unclosing(io.RawIOBase):
    """A view of the caller's file that a BufferedReader may read but not close."""

    def __init__(self, binary: IO[bytes]):
        self._binary = binary

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        data = self._binary.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


# Cells ---------------------------------------------------------------------


def _is_empty(values: Sequence) -> bool:
    for value in values:
        if value is None:
            continue
        if isinstance(value, str) and not value.strip():
            continue
        return False
    return True


def _header_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def column_letter(index: int) -> str:
    """A, B, … Z, AA for a 0-based column index."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _size(count: int) -> str:
    for unit in ("B", "KiB", "MiB", "GiB"):
        if count < 1024 or unit == "GiB":
            return f"{count:.0f} {unit}" if unit == "B" else f"{count:.1f} {unit}"
        count /= 1024
    return str(count)
