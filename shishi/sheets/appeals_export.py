"""Appeals (诉求) as a spreadsheet: the columns an office works from, in the
list's own order. The submitter's name, phone and e-mail are private: they
are written only when the caller says so (the web asks whether the person may
see them; the command line asks for --with-contact).

Rows are read as plain values in chunks, never as model objects, so a
million appeals stream out in bounded memory."""

import datetime as dt
from collections.abc import Iterator
from typing import IO

from django.db.models import QuerySet
from django.utils import timezone

from shishi.intake.models import Appeal, AppealStatus, Channel
from shishi.org.models import Unit

from .ledger_export import chinese_labels
from .writers import (
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

CHUNK = 2000

APPEAL_COLUMNS = [
    Column("序号", 7),
    Column("受理编号", 15),
    Column("诉求标题", 28, wrap=True),
    Column("诉求内容", 50, wrap=True),
    Column("渠道", 9),
    Column("类别", 12, wrap=True),
    Column("所属社区", 14, wrap=True),
    Column("地址", 24, wrap=True),
    Column("受理时间", 16),
    Column("状态", 10),
    Column("答复或处理意见", 30, wrap=True),
    Column("关联事项", 15),
    Column("办结时间", 16),
]
CONTACT_COLUMNS = [
    Column("诉求人", 10),
    Column("联系电话", 14),
    Column("电子邮箱", 20),
]

_FIELDS = (
    "tracking_number",
    "title",
    "body",
    "channel",
    "category__name",
    "community__name",
    "address",
    "received_at",
    "status",
    "status_note",
    "item__number",
    "closed_at",
)
_CONTACT_FIELDS = ("submitter_name", "submitter_phone", "submitter_email")


def appeal_columns(*, with_contact: bool) -> list[Column]:
    return APPEAL_COLUMNS + (CONTACT_COLUMNS if with_contact else [])


def appeals_between(
    appeals: QuerySet[Appeal], *, start: dt.date | None = None, end: dt.date | None = None
) -> QuerySet[Appeal]:
    """Appeals received from the start of `start` to the end of `end` (local days)."""
    if start is not None:
        appeals = appeals.filter(
            received_at__gte=timezone.make_aware(dt.datetime.combine(start, dt.time.min))
        )
    if end is not None:
        appeals = appeals.filter(
            received_at__lt=timezone.make_aware(
                dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min)
            )
        )
    return appeals


def appeal_rows(appeals: QuerySet[Appeal], *, with_contact: bool) -> Iterator[list]:
    channels = chinese_labels(Channel)
    statuses = chinese_labels(AppealStatus)
    fields = _FIELDS + (_CONTACT_FIELDS if with_contact else ())
    values = appeals.values_list(*fields).iterator(chunk_size=CHUNK)
    for serial, v in enumerate(values, start=1):
        row = [
            serial,
            v[0],
            v[1],
            v[2],
            channels.get(v[3], v[3]),
            v[4] or "",
            v[5] or "",
            v[6],
            v[7],
            statuses.get(v[8], v[8]),
            v[9],
            v[10] or "",
            v[11],
        ]
        if with_contact:
            row.extend(v[12:15])
        yield row


def appeals_title(list_name: str = "诉求清单") -> str:
    return f"{Unit.objects.district_name()}{list_name}"


def appeals_xlsx(
    appeals: QuerySet[Appeal],
    file: IO[bytes],
    *,
    title: str,
    with_contact: bool,
    total: int | None = None,
) -> int:
    """Write the appeals with title rows; returns the number of appeals."""
    if total is None:
        total = appeals.order_by().count()
    stamp = f"导出日期：{timezone.localdate():%Y年%m月%d日}　共 {total} 条"
    writer = XlsxWriter(
        appeal_columns(with_contact=with_contact),
        sheet_title="诉求",
        title_rows=[title, stamp],
        freeze_columns=3,
    )
    for row in appeal_rows(appeals, with_contact=with_contact):
        writer.append(row)
    writer.save(file)
    return writer.rows_written


def appeals_csv_lines(appeals: QuerySet[Appeal], *, with_contact: bool) -> Iterator[str]:
    headers = [c.header for c in appeal_columns(with_contact=with_contact)]
    return csv_lines(headers, appeal_rows(appeals, with_contact=with_contact))


def appeals_response(request, appeals: QuerySet[Appeal], *, list_name: str, list_view: str):
    """A list page's appeals as a download in the format the link asks for. The
    submitters' contact data only for those who may see it."""
    fmt = export_format(request)
    contact = request.user.has_perm("intake.view_submitter_contact")
    filename = export_filename(list_name, fmt)
    if fmt == "csv":
        return csv_response(appeals_csv_lines(appeals, with_contact=contact), filename)
    total = appeals.order_by().count()
    if total > WEB_XLSX_MAX_ROWS:
        return too_many_rows(request, list_view, total)
    title = appeals_title(list_name)
    return xlsx_response(
        lambda file: appeals_xlsx(appeals, file, title=title, with_contact=contact, total=total),
        filename,
    )
