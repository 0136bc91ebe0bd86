"""Importing ledger items (台账) from the office sheet: units and leaders matched
by name, targets read from 目标任务, deadlines in the forms offices write, bad
rows named by row and column with nothing stored, re-imports that create
nothing twice, and an export that imports back."""

import datetime as dt
import io
from decimal import Decimal

import openpyxl
import pytest
from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from shishi.categories.services import category_create
from shishi.ledger.models import ItemStatus, LedgerItem
from shishi.ledger.services import TargetSpec, item_create
from shishi.org.services import unit_create
from shishi.sheets.items import items_import, parse_deadline, parse_targets
from shishi.sheets.ledger_export import ledger_csv_lines, ledger_items, ledger_xlsx
from shishi.sheets.results import ImportRefused
from shishi.sheets.writers import xlsx_bytes

from .ledger_helpers import build_ledger, empty_the_ledger, grant_import

NEXT_YEAR = timezone.localdate().year + 1
HEADER = ["序号", "项目名称", "类别", "牵头单位", "责任领导", "完成时限", "目标任务", "进展情况"]


def office_sheet(rows, *, header=HEADER, title=f"中原区{NEXT_YEAR}年民生实事台账") -> bytes:
    """A workbook as an office keeps it: a title, a date line, then the table."""
    workbook = openpyxl.Workbook()
    ws = workbook.active
    ws.append([title])
    ws.append(["填报日期：2021年9月30日"])
    ws.append(header)
    for row in rows:
        ws.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def run(data: bytes, actor, *, name="台账.xlsx", **kwargs):
    return items_import(io.BytesIO(data), name=name, actor=actor, **kwargs)


@pytest.fixture
def importer(bob):
    """Bob the clerk, allowed to import items and to claim them for leaders (as
    the office that keeps the ledger would be)."""
    bob.user_permissions.add(Permission.objects.get(codename="claim_ledgeritem"))
    return grant_import(bob)


def test_one_who_may_not_claim_imports_items_without_their_leader(bob, dave, district, city):
    grant_import(bob)
    row = [
        1,
        "新建公厕",
        "城市建设",
        "区城建局",
        "戴夫",
        f"{NEXT_YEAR}年12月底",
        "新建公厕10座",
        "",
    ]
    report = run(office_sheet([row]), bob)
    assert [(e.row, e.column) for e in report.errors] == [(4, "责任领导")]
    assert not LedgerItem.objects.exists()
    row[4] = ""
    report = run(office_sheet([row]), bob)
    assert report.ok and report.created == 1
    assert LedgerItem.objects.get().status == ItemStatus.OPEN


@pytest.fixture
def city(db):
    return category_create(name="城市建设", code="city")


def _errors(report) -> set[tuple[int, str]]:
    return {(e.row, e.column) for e in report.errors}


# ------------------------------------------------------------- the happy path


@pytest.mark.django_db
def test_an_office_sheet_becomes_open_and_claimed_items(importer, dave, district, city, category):
    data = office_sheet(
        [
            [
                1,
                "新建公厕",
                "城市建设",
                "区城建局",
                "戴夫",
                f"{NEXT_YEAR}年12月底",
                "新建公厕10座；改造背街小巷3.5公里",
                "已完成选址。",
            ],
            [
                2,
                "新增学位",
                "education",
                "区教育局",
                "",
                dt.datetime(NEXT_YEAR, 8, 31),  # noqa: DTZ001 (an Excel date has no zone)
                "新增学位6360个",
                "",
            ],
        ]
    )
    report = run(data, importer)
    assert report.ok, report.errors
    assert (report.rows, report.valid, report.created, report.committed) == (2, 2, 2, True)

    toilets = LedgerItem.objects.get(title="新建公厕")
    assert toilets.status == ItemStatus.CLAIMED
    assert (toilets.kind, toilets.category, toilets.lead_unit) == (
        "project",
        city,
        district["transport"],
    )
    # The importer claimed it for the leader, and the ledger says who did.
    assert toilets.owner == dave and toilets.claimed_by == importer
    assert timezone.localtime(toilets.deadline).date() == dt.date(NEXT_YEAR, 12, 31)
    assert [(t.name, t.target_quantity, t.unit_of_measure) for t in toilets.targets.all()] == [
        ("新建公厕", Decimal("10"), "座"),
        ("改造背街小巷", Decimal("3.5"), "公里"),
    ]
    assert "进展情况：已完成选址。" in toilets.description
    # Created, opened and claimed through the services: the history says so.
    assert [h.history_change_reason for h in toilets.history.order_by("history_date")] == [
        "created",
        "open",
        "claim",
    ]
    assert toilets.history.earliest("history_date").history_user == importer

    schools = LedgerItem.objects.get(title="新增学位")
    assert schools.status == ItemStatus.OPEN and schools.owner is None
    assert schools.lead_unit == district["education"] and schools.category == category
    assert timezone.localtime(schools.deadline).date() == dt.date(NEXT_YEAR, 8, 31)


@pytest.mark.django_db
def test_a_leader_who_imports_claims_in_his_own_name(dave, lena, district, city):
    grant_import(dave)
    data = office_sheet([[1, "新建公厕", "城市建设", "区城建局", "lena", "", "新建公厕10座", ""]])
    report = run(data, dave)
    assert report.ok, report.errors
    item = LedgerItem.objects.get()
    assert item.owner == lena and item.claimed_by == dave


@pytest.mark.django_db
def test_a_check_without_commit_stores_nothing(importer, city):
    data = office_sheet([[1, "新建公厕", "城市建设", "", "", "", "新建公厕10座", ""]])
    report = run(data, importer, commit=False)
    assert report.ok and report.valid == 1 and report.created == 0 and not report.committed
    assert not LedgerItem.objects.exists()


# ---------------------------------------------------------- what is refused


@pytest.mark.django_db
def test_names_that_match_nothing_are_reported_by_column_and_on_their_rows(
    importer, dave, district, city
):
    data = office_sheet(
        [
            [1, "新建公厕", "城市建设", "不存在局", "戴夫", "", "新建公厕10座", ""],
            [2, "改造小巷", "城市建设", "区城建局", "无名氏", "", "改造背街小巷3公里", ""],
            [3, "修路", "城市建设", "区城建局", "", "", "修路2公里", ""],
        ]
    )
    report = run(data, importer)
    assert report.unmatched == {"牵头单位": {"不存在局"}, "责任领导": {"无名氏"}}
    assert _errors(report) == {(4, "牵头单位"), (5, "责任领导")}
    assert "不存在局" in str(report.errors[0])
    # All or nothing: the good third row is not stored either.
    assert report.created == 0 and not report.committed
    assert not LedgerItem.objects.exists()


@pytest.mark.django_db
def test_bad_rows_are_named_by_row_and_column_and_nothing_is_stored(importer, city):
    rows = [[n, f"事项{n}", "城市建设", "", "", "", "新建公厕10座", ""] for n in range(1, 40)]
    rows[30][5] = "明年某个时候"  # row 34
    rows[31][2] = "不存在的类别"  # row 35
    rows[32][6] = "尽快解决群众反映的问题"  # row 36
    rows[33][5] = "2020-01-01"  # row 37: already passed
    rows[34][1] = ""  # row 38
    report = run(office_sheet(rows), importer)
    assert _errors(report) == {
        (34, "完成时限"),
        (35, "类别"),
        (36, "目标任务"),
        (37, "完成时限"),
        (38, "项目名称"),
    }
    messages = {e.column: e.message for e in report.errors}
    assert "未找到可量化的目标" in messages["目标任务"]
    assert report.unmatched == {"类别": {"不存在的类别"}}
    assert report.valid == 34 and report.created == 0
    assert not LedgerItem.objects.exists()


@pytest.mark.django_db
def test_a_project_needs_a_target_a_rectification_does_not(importer, city):
    data = office_sheet(
        [
            [1, "整治噪声", "城市建设", "", "", "", "", "立行立改"],
            [2, "新建公厕", "城市建设", "", "", "", "", ""],
        ],
        header=[*HEADER[:7], "类型"],
    )
    report = run(data, importer)
    assert _errors(report) == {(5, "目标任务")}
    assert "至少需要一项可量化的目标" in report.errors[0].message


@pytest.mark.django_db
def test_a_leader_needs_a_lead_unit_and_must_be_a_leader(importer, dave, carol, city):
    data = office_sheet(
        [
            [1, "新建公厕", "城市建设", "", "戴夫", "", "新建公厕10座", ""],
            [2, "改造小巷", "城市建设", "区城建局", "卡罗尔", "", "改造背街小巷3公里", ""],
        ]
    )
    report = run(data, importer)
    assert _errors(report) == {(4, "牵头单位"), (5, "责任领导")}


@pytest.mark.django_db
def test_a_unit_name_shared_by_two_units_needs_its_parent(importer, district, city):
    other = unit_create(name="秦岭路街道", kind="street", parent=district["district"])
    twin = unit_create(name="建设路社区", kind="community", parent=other)
    data = office_sheet(
        [
            [1, "社区公园", "城市建设", "建设路社区", "", "", "新建公园1个", ""],
            [2, "社区书屋", "城市建设", "秦岭路街道 › 建设路社区", "", "", "新建书屋1个", ""],
        ]
    )
    report = run(data, importer)
    assert _errors(report) == {(4, "牵头单位")}
    assert "秦岭路街道 › 建设路社区" in report.errors[0].message or "›" in report.errors[0].message
    data = office_sheet(
        [[2, "社区书屋", "城市建设", "秦岭路街道/建设路社区", "", "", "新建书屋1个", ""]]
    )
    assert run(data, importer).ok
    assert LedgerItem.objects.get().lead_unit == twin


@pytest.mark.django_db
def test_the_same_number_twice_in_one_file_is_an_error(importer, city):
    header = ["序号", "编号", "项目名称", "类别", "目标任务"]
    data = office_sheet(
        [
            [1, "MS-01", "新建公厕", "城市建设", "新建公厕10座"],
            [2, "MS-01", "改造小巷", "城市建设", "改造3公里"],
        ],
        header=header,
    )
    report = run(data, importer)
    assert _errors(report) == {(5, "编号")}
    assert "第 4 行" in report.errors[0].message


@pytest.mark.django_db
def test_a_sheet_without_a_category_column_is_refused(importer):
    data = office_sheet([[1, "新建公厕", "新建公厕10座"]], header=["序号", "项目名称", "目标任务"])
    with pytest.raises(ImportRefused, match="类别"):
        run(data, importer)


@pytest.mark.django_db
def test_only_people_allowed_to_import_items_may(alice, carol, city):
    data = office_sheet([[1, "新建公厕", "城市建设", "", "", "", "新建公厕10座", ""]])
    # A resident, and a unit handler (who reports on items but does not keep the ledger).
    for person in (alice, carol):
        with pytest.raises(PermissionDenied):
            run(data, person)
    assert not LedgerItem.objects.exists()


@pytest.mark.django_db
def test_a_kind_the_importer_may_not_open_is_refused_on_its_row(carol, city):
    grant_import(carol)  # a unit handler opens insurance claims only
    data = office_sheet(
        [[1, "新建公厕", "城市建设", "", "", "", "新建公厕10座", ""]],
    )
    report = run(data, carol)
    assert _errors(report) == {(4, "类型")}


# --------------------------------------------------------------- idempotent


@pytest.mark.django_db
def test_importing_the_same_sheet_again_creates_nothing_twice(importer, dave, district, city):
    without_numbers = office_sheet(
        [
            [1, "新建公厕", "城市建设", "区城建局", "戴夫", "", "新建公厕10座", ""],
            [2, "改造小巷", "城市建设", "", "", "", "改造背街小巷3公里", ""],
        ]
    )
    assert run(without_numbers, importer).created == 2
    again = run(without_numbers, importer)
    assert again.ok and (again.created, again.skipped) == (0, 2)
    assert LedgerItem.objects.count() == 2

    with_numbers = office_sheet(
        [[1, "MS-07", "修建口袋公园", "城市建设", "新建公园3个"]],
        header=["序号", "编号", "项目名称", "类别", "目标任务"],
    )
    assert run(with_numbers, importer).created == 1
    assert LedgerItem.objects.filter(number="MS-07").exists()
    again = run(with_numbers, importer)
    assert (again.created, again.skipped) == (0, 1)
    assert LedgerItem.objects.count() == 3


@pytest.mark.django_db
def test_rows_already_in_the_ledger_are_skipped_even_after_their_deadline_passed(importer, city):
    data = office_sheet(
        [[1, "新建公厕", "城市建设", "", "", f"{NEXT_YEAR}-03-31", "新建公厕10座", ""]]
    )
    assert run(data, importer).created == 1
    LedgerItem.objects.update(deadline=timezone.now() - dt.timedelta(days=1))
    again = run(data, importer)
    assert again.ok and (again.created, again.skipped) == (0, 1)


@pytest.mark.django_db
def test_a_number_that_belongs_to_another_item_is_an_error(importer, city, make_item):
    item = make_item(title="新增学位")
    data = office_sheet(
        [[1, item.number, "新建公厕", "城市建设", "新建公厕10座"]],
        header=["序号", "编号", "项目名称", "类别", "目标任务"],
    )
    report = run(data, importer)
    assert _errors(report) == {(4, "编号")} and "新增学位" in report.errors[0].message


# --------------------------------------------------------------- round trip


def _snapshot() -> dict[str, tuple]:
    return {
        item.number: (
            item.title,
            item.kind,
            item.category_id,
            item.lead_unit_id,
            item.owner_id,
            timezone.localtime(item.deadline).date(),
            [(t.name, t.unit_of_measure, t.target_quantity) for t in item.targets.all()],
            sorted(u.pk for u in item.cooperating_units.all()),
        )
        for item in LedgerItem.objects.prefetch_related("targets", "cooperating_units")
    }


@pytest.mark.django_db
@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_an_export_imports_back_into_an_empty_ledger(
    fmt, importer, dave, carol, district, category
):
    build_ledger(bob=importer, dave=dave, carol=carol, district=district, category=category)
    # The overdue item cannot be opened again with its deadline passed: move it on.
    LedgerItem.objects.filter(title="新建公厕").update(
        deadline=timezone.now() + dt.timedelta(days=10)
    )
    before = _snapshot()
    if fmt == "xlsx":
        data = xlsx_bytes(lambda f: ledger_xlsx(ledger_items(), f, title="台账"))
    else:
        data = "".join(ledger_csv_lines(ledger_items())).encode("utf-8")
    empty_the_ledger()

    report = run(data, importer, name=f"台账.{fmt}")
    assert report.ok, report.errors
    assert report.created == 4
    assert _snapshot() == before
    # Claimed items are claimed again, the others open.
    assert {i.title: i.status for i in LedgerItem.objects.all()} == {
        "新增中小学学位": ItemStatus.CLAIMED,
        "新建公厕": ItemStatus.CLAIMED,
        "建设公共停车泊位": ItemStatus.OPEN,
        "=整治夜间施工噪声": ItemStatus.OPEN,
    }
    # The latest progress is kept in the description.
    assert "进展情况：主体完工。" in LedgerItem.objects.get(title="新增中小学学位").description

    # The numbers kept from the sheet are not handed out again.
    new = item_create(
        kind="project",
        title="新的事项",
        category=category,
        actor=importer,
        targets=[TargetSpec("a", "个", 1)],
    )
    assert new.number not in before


# ------------------------------------------------------------------ parsing


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "新建公厕10座；改造背街小巷3.5公里",
            [("新建公厕", "10", "座"), ("改造背街小巷", "3.5", "公里")],
        ),
        (
            "新增学位 6360 个；建成公共停车泊位 7361 个",
            [("新增学位", "6360", "个"), ("建成公共停车泊位", "7361", "个")],
        ),
        (
            "新建10座公厕、改造背街小巷3.5公里",
            [("新建公厕", "10", "座"), ("改造背街小巷", "3.5", "公里")],
        ),
        (
            "改造老旧小区30个以上，惠及居民2,300余户",
            [("改造老旧小区", "30", "个"), ("惠及居民", "2300", "户")],
        ),
        ("新建5G基站100个", [("新建5G基站", "100", "个")]),
        ("新增绿地5万平方米", [("新增绿地", "5", "万平方米")]),
        ("２０２１年底前完成", []),
        ("尽快解决", []),
    ],
)
def test_targets_are_read_from_the_sentence(text, expected):
    parsed = parse_targets(text)
    assert [(t.name, str(t.target_quantity), t.unit_of_measure) for t in parsed.targets] == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2021年12月底", dt.date(2021, 12, 31)),
        ("2021年11月", dt.date(2021, 11, 30)),
        ("2021-12-31", dt.date(2021, 12, 31)),
        ("2021/6/30", dt.date(2021, 6, 30)),
        ("2021年6月30日前", dt.date(2021, 6, 30)),
        ("2021年底", dt.date(2021, 12, 31)),
        ("2021年上半年", dt.date(2021, 6, 30)),
        ("2021年第三季度", dt.date(2021, 9, 30)),
        (dt.datetime(2021, 12, 31), dt.date(2021, 12, 31)),  # noqa: DTZ001 (an Excel date)
        (44561, dt.date(2021, 12, 31)),
        ("2021-12-31 00:00:00", dt.date(2021, 12, 31)),
        (None, None),
    ],
)
def test_deadlines_in_the_forms_offices_write(value, expected):
    assert parse_deadline(value) == expected


@pytest.mark.parametrize("value", ["长期", "2021年13月", "明年"])
def test_a_deadline_that_is_no_date_is_refused(value):
    with pytest.raises(ValueError):
        parse_deadline(value)
