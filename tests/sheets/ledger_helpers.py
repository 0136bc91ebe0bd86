"""Helpers of the ledger export and import tests: a small ledger with items at
several stages, reading a workbook back, and emptying the ledger."""

import datetime as dt
import io

import openpyxl
from django.contrib.auth.models import Permission
from django.utils import timezone

from shishi.categories.services import category_create
from shishi.ledger.models import (
    Evidence,
    FollowUp,
    LedgerItem,
    ProgressActual,
    ProgressReport,
    Target,
)
from shishi.ledger.services import (
    TargetSpec,
    item_claim,
    item_create,
    item_open,
    progress_report_submit,
)


def grant_import(user):
    user.user_permissions.add(Permission.objects.get(codename="import_items"))
    # Django caches permissions on the user object.
    for cache in ("_perm_cache", "_user_perm_cache", "_group_perm_cache"):
        user.__dict__.pop(cache, None)
    return user


def build_ledger(*, bob, dave, carol, district, category):
    """Four items: claimed with progress, claimed and overdue, open with
    cooperating units, and a rectification without targets."""
    city = category_create(name="城市建设", code="city")
    soon = timezone.now() + dt.timedelta(days=60)

    schools = item_create(
        kind="project",
        title="新增中小学学位",
        category=category,
        actor=bob,
        description="扩建两所学校。",
        deadline=soon,
        targets=[TargetSpec("新增学位", "个", 6360), TargetSpec("新建学校", "所", 2)],
    )
    item_open(item=schools, actor=bob)
    item_claim(item=schools, actor=dave, lead_unit=district["education"])
    progress_report_submit(
        item=schools, actor=carol, percent=60, narrative="主体完工。", actuals={"新增学位": 4000}
    )

    toilets = item_create(
        kind="project",
        title="新建公厕",
        category=city,
        actor=bob,
        deadline=soon,
        targets=[TargetSpec("新建公厕", "座", 10), TargetSpec("改造背街小巷", "公里", "3.5")],
    )
    item_open(item=toilets, actor=bob)
    item_claim(item=toilets, actor=dave, lead_unit=district["transport"])
    # Time passing makes it overdue (the services rightly refuse a past deadline).
    LedgerItem.objects.filter(pk=toilets.pk).update(deadline=timezone.now() - dt.timedelta(days=3))

    parking = item_create(
        kind="project",
        title="建设公共停车泊位",
        category=city,
        actor=bob,
        deadline=soon + dt.timedelta(days=30),
        targets=[TargetSpec("建成公共停车泊位", "个", 7361)],
        lead_unit=district["transport"],
        cooperating_units=[district["street"], district["education"]],
    )
    item_open(item=parking, actor=bob)

    noise = item_create(
        kind="rectification",
        title="=整治夜间施工噪声",
        category=city,
        actor=bob,
        deadline=soon,
    )
    item_open(item=noise, actor=bob)
    return {"schools": schools, "toilets": toilets, "parking": parking, "noise": noise}


def read_xlsx(data: bytes):
    return openpyxl.load_workbook(io.BytesIO(data)).active


def rows_by_number(ws, header_row: int) -> dict[str, dict]:
    """The data rows keyed by 编号, each a dict by header, with the row's cells."""
    headers = [c.value for c in ws[header_row]]
    rows = {}
    for cells in ws.iter_rows(min_row=header_row + 1):
        values = dict(zip(headers, [c.value for c in cells], strict=True))
        values["_cells"] = cells
        rows[values["编号"]] = values
    return rows


def empty_the_ledger() -> None:
    """Remove every item (the ledger's history tables keep no constraints)."""
    ProgressActual.objects.all().delete()
    Evidence.objects.all().delete()
    ProgressReport.objects.all().delete()
    FollowUp.objects.all().delete()
    Target.objects.all().delete()
    LedgerItem.objects.all().delete()
