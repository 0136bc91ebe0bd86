"""Work orders as a spreadsheet, as the lists show them (filters included).
Rows are read as plain values in chunks, so a long list streams out in
bounded memory."""

from collections.abc import Iterator
from typing import IO

from django.db.models import QuerySet
from django.utils import timezone

from shishi.org.models import Unit
from shishi.sheets.ledger_export import chinese_labels
from shishi.sheets.writers import (
    WEB_XLSX_MAX_ROWS,
    Column,
    XlsxWriter,
    csv_lines,
    csv_response,
    export_filename,
    export_format,
    too_many_rows,
    xlsx_response,
)

from .models import OrderStatus, WorkOrder

CHUNK = 2000
COLUMNS = [
    Column("序号", 7),
    Column("工单编号", 17),
    Column("诉求标题", 28, wrap=True),
    Column("类别", 12, wrap=True),
    Column("主办单位", 14, wrap=True),
    Column("状态", 10),
    Column("派单时间", 16),
    Column("签收时限", 16),
    Column("签收时间", 16),
    Column("办理时限", 16),
    Column("答复时间", 16),
    Column("办结时间", 16),
    Column("退单原因", 24, wrap=True),
    Column("延期次数", 8),
    Column("重办次数", 8),
]
_FIELDS = (
    "number",
    "appeal__title",
    "appeal__category__name",
    "unit__name",
    "status",
    "dispatched_at",
    "sign_due",
    "signed_at",
    "due_at",
    "replied_at",
    "closed_at",
    "return_reason",
    "extension_count",
    "rehandle_count",
)


def order_rows(orders: QuerySet[WorkOrder]) -> Iterator[list]:
    statuses = chinese_labels(OrderStatus)
    values = orders.values_list(*_FIELDS).iterator(chunk_size=CHUNK)
    for serial, v in enumerate(values, start=1):
        yield [serial, v[0], v[1], v[2] or "", v[3], statuses.get(v[4], v[4]), *v[5:]]


def orders_xlsx(orders: QuerySet[WorkOrder], file: IO[bytes], *, title: str, total: int) -> int:
    stamp = f"导出日期：{timezone.localdate():%Y年%m月%d日}　共 {total} 件"
    writer = XlsxWriter(COLUMNS, sheet_title="工单", title_rows=[title, stamp], freeze_columns=3)
    for row in order_rows(orders):
        writer.append(row)
    writer.save(file)
    return writer.rows_written


def orders_response(request, orders: QuerySet[WorkOrder], *, list_name: str, list_view: str):
    fmt = export_format(request)
    filename = export_filename("工单", fmt)
    if fmt == "csv":
        return csv_response(csv_lines([c.header for c in COLUMNS], order_rows(orders)), filename)
    total = orders.order_by().count()
    if total > WEB_XLSX_MAX_ROWS:
        return too_many_rows(request, list_view, total)
    title = f"{Unit.objects.district_name()}{list_name}"
    return xlsx_response(lambda file: orders_xlsx(orders, file, title=title, total=total), filename)
