"""The catalogue and the asset register in Excel: row-level errors, all or
nothing, and an export that imports again."""

import io

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import CommandError, call_command
from openpyxl import Workbook

from shishi.programmes.models import Asset, AssetKind, ServiceItem
from shishi.programmes.sheets import ASSETS, SERVICES, register_import, register_xlsx

pytestmark = pytest.mark.django_db


def xlsx(rows) -> io.BytesIO:
    book = Workbook()
    sheet = book.active
    sheet.append(["政务服务事项目录"])  # a title row above the header
    for row in rows:
        sheet.append(row)
    data = io.BytesIO()
    book.save(data)
    data.seek(0)
    return data


HEADER = ["事项编码", "事项名称", "实施部门", "网上办", "掌上办"]


def test_a_good_catalogue_is_stored_whole_with_history(root):
    data = xlsx(
        [
            HEADER,
            ["ZY1", "营业执照办理", "区市场监管局", "是", "否"],
            ["ZY2", "低保申请", "", "是", "是"],
        ]
    )
    report = register_import(SERVICES, data, name="目录.xlsx", actor=root)
    assert report.ok and report.committed and report.created == 2
    assert list(ServiceItem.objects.values_list("code", "online", "mobile")) == [
        ("ZY1", True, False),
        ("ZY2", True, True),
    ]
    assert ServiceItem.objects.get(code="ZY1").history.get().history_user == root


def test_one_bad_row_stores_nothing_and_each_error_names_row_column_and_value(root):
    data = xlsx(
        [
            HEADER,
            ["ZY1", "营业执照办理", "", "是", "否"],
            ["ZY2", "", "", "也许", "否"],
            ["ZY1", "重复", "", "是", "否"],
        ]
    )
    report = register_import(SERVICES, data, name="目录.xlsx", actor=root)
    assert not report.ok and not report.committed
    assert ServiceItem.objects.count() == 0
    where = [(e.row, e.column, e.value) for e in report.errors]
    assert where == [(4, "事项名称", ""), (4, "网上办", "也许"), (5, "事项编码", "ZY1")]
    assert "第 4 行，“网上办”列（“也许”）" in str(report.errors[1])


def test_importing_the_same_file_twice_stores_nothing_the_second_time(root):
    rows = [HEADER, ["ZY1", "营业执照办理", "", "是", "否"]]
    register_import(SERVICES, xlsx(rows), name="a.xlsx", actor=root)
    again = register_import(SERVICES, xlsx(rows), name="a.xlsx", actor=root)
    assert not again.ok
    assert again.errors[0].message and ServiceItem.objects.count() == 1


def test_an_exported_register_imports_again(root, district, tmp_path):
    Asset.objects.bulk_create(
        [
            Asset(
                kind=AssetKind.CAR_PARK,
                code="P1",
                name="一号停车场",
                connected=True,
                unit=district["street"],
            ),
            Asset(kind=AssetKind.SCHOOL, code="S1", name="新建小学", connected=True, quantity=1080),
        ]
    )
    data = io.BytesIO()
    register_xlsx(ASSETS, data)
    exported = [
        (a.kind, a.code, a.name, a.connected, a.quantity, a.unit_id) for a in Asset.objects.all()
    ]
    Asset.objects.all().delete()
    data.seek(0)
    report = register_import(ASSETS, data, name="设施.xlsx", actor=root)
    assert report.ok, [str(e) for e in report.errors]
    again = [
        (a.kind, a.code, a.name, a.connected, a.quantity, a.unit_id) for a in Asset.objects.all()
    ]
    assert again == exported


def test_an_unknown_unit_or_kind_is_a_row_error(root):
    data = xlsx(
        [
            ["类型", "编号", "名称", "地址", "责任单位", "已接入/已投用", "数量", "建成日期"],
            ["停车场", "P1", "一号", "", "不存在的单位", "是", "x", "2021-13-40"],
        ]
    )
    report = register_import(ASSETS, data, name="设施.xlsx", actor=root)
    assert {e.column for e in report.errors} == {"类型", "责任单位", "数量", "建成日期"}
    assert Asset.objects.count() == 0


def test_a_missing_column_refuses_the_file(root):
    from shishi.sheets.results import ImportRefused

    with pytest.raises(ImportRefused):
        register_import(
            SERVICES, xlsx([["事项编码", "事项名称"], ["ZY1", "x"]]), name="x.xlsx", actor=root
        )


def test_only_those_given_the_right_import(bob):
    with pytest.raises(PermissionDenied):
        register_import(SERVICES, xlsx([HEADER]), name="x.xlsx", actor=bob)


def test_the_command_imports_and_exports(root, tmp_path):
    path = tmp_path / "目录.xlsx"
    path.write_bytes(xlsx([HEADER, ["ZY1", "营业执照办理", "", "是", "否"]]).getvalue())
    call_command("programmes", "import", "services", str(path), "--user", "root")
    assert ServiceItem.objects.count() == 1
    with pytest.raises(CommandError, match="nothing was stored"):
        call_command("programmes", "import", "services", str(path), "--user", "root")
    out = tmp_path / "out.csv"
    call_command("programmes", "export", "services", "--format", "csv", "-o", str(out))
    assert "ZY1,营业执照办理" in out.read_text(encoding="utf-8-sig")
