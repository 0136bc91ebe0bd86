"""The lists of the campaign's organisation and activities, as a page and as
Excel/CSV: one description of the columns serves both, so what is exported is
what the page shows (filters included)."""

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.shortcuts import render
from django.utils import timezone

from shishi.org.models import Unit
from shishi.sheets.writers import (
    EXPORT_FORMATS,
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


@dataclass
class ListTable:
    """`title`: the list's Chinese name (the export's file and title);
    `columns`: the headers and widths; `row(obj)`: one object's cells;
    `highlight(obj)`: whether a row is marked (overdue, missed)."""

    view_name: str
    title: str
    columns: Sequence[Column]
    objects: QuerySet | Sequence
    row: Callable[[Any], list]
    highlight: Callable[[Any], bool] = field(default=lambda obj: False)
    link: Callable[[Any], str | None] = field(default=lambda obj: None)


def _rows(table: ListTable, objects) -> list[dict]:
    headers = [c.header for c in table.columns]
    return [
        {
            "cells": list(zip(headers, table.row(obj), strict=True)),
            "highlight": table.highlight(obj),
            "link": table.link(obj),
        }
        for obj in objects
    ]


def _count(objects) -> int:
    return objects.count() if isinstance(objects, QuerySet) else len(objects)


def _export(request, table: ListTable):
    fmt = export_format(request)
    filename = export_filename(table.title, fmt)
    objects = table.objects
    if fmt == "csv":
        lines = csv_lines(
            [str(c.header) for c in table.columns], (table.row(obj) for obj in _iterate(objects))
        )
        return csv_response(lines, filename)
    total = _count(objects)
    if total > WEB_XLSX_MAX_ROWS:
        return too_many_rows(request, table.view_name, total)

    def write(file) -> None:
        stamp = f"导出日期：{timezone.localdate():%Y年%m月%d日}　共 {total} 条"
        writer = XlsxWriter(
            table.columns,
            sheet_title=table.title,
            title_rows=[f"{Unit.objects.district_name()}{table.title}", stamp],
        )
        for obj in _iterate(objects):
            writer.append(table.row(obj), highlight=table.highlight(obj))
        writer.save(file)

    return xlsx_response(write, filename)


def _iterate(objects):
    return objects.iterator(chunk_size=2000) if isinstance(objects, QuerySet) else objects


def _export_urls(request) -> dict[str, str]:
    """This page's export links: its filters, without the page number."""
    query = request.GET.copy()
    query.pop("page", None)
    urls = {}
    for fmt in EXPORT_FORMATS:
        query["format"] = fmt
        urls[fmt] = f"{request.path}?{query.urlencode()}"
    return urls


def table_response(request, table: ListTable, *, template: str, context: dict | None = None):
    """The list as a page of `template` (which includes organisation/_table.html),
    or, with ?format=xlsx|csv, as a download."""
    if "format" in request.GET:
        return _export(request, table)
    page = Paginator(table.objects, settings.SHISHI_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        template,
        {
            "table": table,
            "headers": [c.header for c in table.columns],
            "page": page,
            "rows": _rows(table, page.object_list),
            "export_urls": _export_urls(request),
            **(context or {}),
        },
    )
