"""The government-service catalogue and the asset register in Excel, both ways.

An import reads .xlsx or .csv (shishi.sheets.tables: encodings, zip bombs
and old .xls refused), checks every row, and stores the file whole or not at
all: one bad row stores nothing, and every error names its row, column and
value. A code already in the register is an error, so importing the same
file twice stores nothing twice. The export writes the same columns, so an
exported sheet imports again."""

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import IO, Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shishi.org.models import Unit
from shishi.sheets.cells import cell_text, clean_line, parse_datetime, parse_decimal
from shishi.sheets.results import ImportRefused, ImportReport, RowError
from shishi.sheets.tables import open_table
from shishi.sheets.writers import Column, XlsxWriter, csv_lines

from . import permissions, services
from .models import NAME_MAX, Asset, AssetKind, ServiceItem

YES = {"是", "已接入", "已投用", "已建成", "1", "y", "yes", "true", "√", "✓"}
NO = {"", "否", "未接入", "0", "n", "no", "false", "×"}


def _flag(value) -> bool:
    text = clean_line(cell_text(value)).lower()
    if text in YES:
        return True
    if text in NO:
        return False
    raise ValueError(_("Write 是 or 否."))


def _flag_text(value: bool) -> str:
    return "是" if value else "否"


def _required(value, max_length: int = NAME_MAX) -> str:
    text = clean_line(cell_text(value))
    if not text:
        raise ValueError(_("Must not be empty."))
    if len(text) > max_length:
        raise ValueError(
            _("Too long: %(length)d characters, at most %(max)d.")
            % {"length": len(text), "max": max_length}
        )
    return text


def _optional(value, max_length: int = NAME_MAX) -> str:
    return _required(value, max_length) if clean_line(cell_text(value)) else ""


@dataclass(frozen=True)
class Field:
    header: str
    attribute: str
    read: Callable[[Any], Any]  # cell -> value, ValueError with the message
    write: Callable[[Any], Any] = lambda value: value
    required_column: bool = True
    width: float = 14


@dataclass(frozen=True)
class Register:
    name: str  # in URLs and on the command line
    model: type
    title: str
    fields: Sequence[Field]
    store: Callable  # services.*_store(rows=…, actor=…)

    @property
    def headers(self) -> list[str]:
        return [f.header for f in self.fields]


def _kind(value) -> str:
    text = _required(value, 50)
    by_label = {str(label): kind for kind, label in AssetKind.choices}
    by_label.update({kind: kind for kind in AssetKind.values})
    if text not in by_label:
        raise ValueError(
            _("Unknown kind; one of: %(kinds)s.")
            % {"kinds": "、".join(str(label) for _kind, label in AssetKind.choices)}
        )
    return by_label[text]


def _quantity(value) -> int:
    number = parse_decimal(value)
    if number is None:
        return 1
    if number != number.to_integral_value() or number < 0 or number > 10**9:
        raise ValueError(_("Must be a whole number, 0 or more."))
    return int(number)


def _day(value) -> dt.date | None:
    if value is None or cell_text(value).strip() == "":
        return None
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    try:
        moment = parse_datetime(value)
    except ValueError as error:
        raise ValueError(str(error) or _("Not a date.")) from None
    if moment is None:
        return None
    return timezone.localtime(moment).date() if timezone.is_aware(moment) else moment.date()


class _UnitByName:
    def __init__(self):
        self.units = dict(Unit.objects.filter(is_active=True).values_list("name", "pk"))

    def __call__(self, value) -> int | None:
        name = _optional(value, 100)
        if not name:
            return None
        if name not in self.units:
            raise ValueError(_("No active unit has this name."))
        return self.units[name]


SERVICES = Register(
    name="services",
    model=ServiceItem,
    title="政务服务事项目录",
    fields=[
        Field("事项编码", "code", lambda v: _required(v, 50)),
        Field("事项名称", "name", _required, width=36),
        Field("实施部门", "department", lambda v: _optional(v, 100), width=24),
        Field("网上办", "online", _flag, _flag_text, width=8),
        Field("掌上办", "mobile", _flag, _flag_text, width=8),
    ],
    store=services.service_items_store,
)


ASSETS = Register(
    name="assets",
    model=Asset,
    title="设施台账",
    fields=[
        Field("类型", "kind", _kind, lambda kind: str(AssetKind(kind).label), width=16),
        Field("编号", "code", lambda v: _required(v, 50)),
        Field("名称", "name", _required, width=30),
        Field("地址", "address", lambda v: _optional(v, 255), width=24),
        Field("责任单位", "unit_id", None, required_column=False, width=18),
        Field("已接入/已投用", "connected", _flag, _flag_text, width=10),
        Field("数量", "quantity", _quantity, required_column=False, width=8),
        Field("建成日期", "completed_on", _day, required_column=False, width=12),
    ],
    store=services.assets_store,
)

REGISTERS = {r.name: r for r in (SERVICES, ASSETS)}


def register_import(
    register: Register, source: str | IO[bytes], *, name: str, actor, dry_run: bool = False
) -> ImportReport:
    """Check every row of the file, then store all of them or none."""
    permissions.require_import(actor, register.model._meta.model_name)
    report = ImportReport(file_name=name)
    required = [f.header for f in register.fields if f.required_column]
    readers = {f.header: f.read for f in register.fields}
    if register is ASSETS:
        readers["责任单位"] = _UnitByName()
    existing = set(register.model.objects.values_list("code", flat=True))
    seen: dict[str, int] = {}
    rows = []
    with open_table(source, name=name, expect=required) as table:
        columns = {header: i for i, header in enumerate(table.headers) if header in readers}
        for number, values in table.rows():
            report.rows += 1
            data, ok = {}, True
            for field in register.fields:
                index = columns.get(field.header)
                if index is None:
                    continue
                value = values[index]
                try:
                    data[field.attribute] = readers[field.header](value)
                except ValueError as error:
                    ok = False
                    report.add_error(
                        RowError(number, field.header, cell_text(value)[:100], str(error))
                    )
            code = data.get("code")
            if code:
                if code in existing:
                    ok = False
                    report.add_error(
                        RowError(
                            number,
                            "事项编码" if register is SERVICES else "编号",
                            code,
                            _("Already in the register."),
                        )
                    )
                elif code in seen:
                    ok = False
                    report.add_error(
                        RowError(
                            number,
                            "事项编码" if register is SERVICES else "编号",
                            code,
                            _("Also in row %(row)d.") % {"row": seen[code]},
                        )
                    )
                else:
                    seen[code] = number
            if ok:
                report.valid += 1
                rows.append(register.model(**data))
    if report.ok and not dry_run and rows:
        with transaction.atomic():
            register.store(rows=rows, actor=actor)
        report.created = len(rows)
        report.committed = True
    return report


def _cells(register: Register, obj) -> list:
    cells = []
    for field in register.fields:
        if field.attribute == "unit_id":
            cells.append(obj.unit.name if obj.unit_id else "")
            continue
        cells.append(field.write(getattr(obj, field.attribute)))
    return cells


def register_rows(register: Register, queryset=None) -> Iterable[list]:
    rows = queryset if queryset is not None else register.model.objects.all()
    if register is ASSETS:
        rows = rows.select_related("unit")
    for obj in rows.iterator(chunk_size=2000):
        yield _cells(register, obj)


def register_xlsx(register: Register, file: IO[bytes], queryset=None) -> None:
    writer = XlsxWriter(
        [Column(f.header, f.width) for f in register.fields],
        sheet_title=register.title,
        title_rows=[register.title],
    )
    for row in register_rows(register, queryset):
        writer.append(row)
    writer.save(file)


def register_csv(register: Register, queryset=None) -> Iterable[str]:
    return csv_lines(register.headers, register_rows(register, queryset))


__all__ = ["ImportRefused", "REGISTERS", "register_import", "register_xlsx", "register_csv"]
