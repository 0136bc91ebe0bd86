"""`shishi export ledger|appeals`: the files it writes, and private data only
when asked for."""

import csv
import datetime as dt
import io

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from shishi.intake.services import appeal_submit
from shishi.sheets.ledger_export import LEDGER_HEADERS

from .ledger_helpers import build_ledger, read_xlsx

pytestmark = pytest.mark.django_db


@pytest.fixture
def ledger(bob, dave, carol, district, category):
    return build_ledger(bob=bob, dave=dave, carol=carol, district=district, category=category)


@pytest.fixture
def appeals(db):
    def received(days_ago: int) -> dt.datetime:
        return timezone.now() - dt.timedelta(days=days_ago)

    return [
        appeal_submit(
            title="路灯不亮",
            body="建设路口路灯坏了两周。",
            channel="hotline",
            received_at=received(40),
            submitter_name="王五",
            submitter_phone="13800000000",
        ),
        appeal_submit(
            title='=HYPERLINK("http://x")',
            channel="web",
            received_at=received(2),
            submitter_name="赵六",
            submitter_phone="13900000000",
        ),
    ]


def _run(*args) -> str:
    out, err = io.StringIO(), io.StringIO()
    call_command("export", *args, stdout=out, stderr=err)
    return out.getvalue() + err.getvalue()


def test_the_ledger_as_xlsx(ledger, tmp_path):
    path = tmp_path / "台账.xlsx"
    said = _run("ledger", "--format", "xlsx", "-o", str(path))
    assert "Wrote 4 ledger items" in said
    ws = read_xlsx(path.read_bytes())
    assert ws["A1"].value.startswith("中原区") and ws["A1"].value.endswith("实事台账")
    assert [c.value for c in ws[3]] == LEDGER_HEADERS
    assert ws.max_row == 3 + 4


def test_the_ledger_as_csv_to_a_file_and_to_stdout(ledger, tmp_path):
    path = tmp_path / "ledger.csv"
    _run("ledger", "--format", "csv", "-o", str(path))
    data = path.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0] == LEDGER_HEADERS and len(rows) == 5

    out = io.StringIO()
    call_command("export", "ledger", "--format", "csv", stdout=out, stderr=io.StringIO())
    assert out.getvalue().lstrip("\ufeff").splitlines()[0].startswith("序号,编号,项目名称")


def test_only_one_kind(ledger, tmp_path):
    path = tmp_path / "ledger.csv"
    _run("ledger", "--format", "csv", "--kind", "rectification", "-o", str(path))
    rows = list(csv.reader(io.StringIO(path.read_text("utf-8-sig"))))
    assert [r[2] for r in rows[1:]] == ["'=整治夜间施工噪声"]


def test_an_xlsx_needs_a_file_and_the_folder_must_exist(ledger, tmp_path):
    with pytest.raises(CommandError, match="-o FILE"):
        _run("ledger", "--format", "xlsx")
    with pytest.raises(CommandError, match="No such folder"):
        _run("ledger", "-o", str(tmp_path / "missing" / "a.xlsx"))


def test_appeals_without_contact_data_unless_asked(appeals, tmp_path):
    path = tmp_path / "appeals.xlsx"
    said = _run("appeals", "-o", str(path))
    assert "Wrote 2 appeals" in said
    ws = read_xlsx(path.read_bytes())
    headers = [c.value for c in ws[3]]
    assert headers[:4] == ["序号", "受理编号", "诉求标题", "诉求内容"]
    assert "联系电话" not in headers and "诉求人" not in headers
    values = {c.value for row in ws.iter_rows() for c in row}
    assert "13800000000" not in values and "王五" not in values
    # Newest first; a title that looks like a formula is text.
    assert ws["C4"].value.startswith("=HYPERLINK") and ws["C4"].data_type == "s"
    assert ws["E5"].value == "热线"  # the channel, in Chinese
    assert ws["D5"].value == "建设路口路灯坏了两周。"

    _run("appeals", "--with-contact", "-o", str(path))
    ws = read_xlsx(path.read_bytes())
    headers = [c.value for c in ws[3]]
    assert headers[-3:] == ["诉求人", "联系电话", "电子邮箱"]
    assert ws.cell(5, headers.index("联系电话") + 1).value == "13800000000"


def test_appeals_of_a_period_as_csv(appeals, tmp_path):
    path = tmp_path / "appeals.csv"
    start = (timezone.localdate() - dt.timedelta(days=10)).isoformat()
    _run("appeals", "--format", "csv", "--from", start, "-o", str(path))
    rows = list(csv.reader(io.StringIO(path.read_text("utf-8-sig"))))
    assert len(rows) == 2
    assert rows[1][2].startswith("'=HYPERLINK")

    end = (timezone.localdate() - dt.timedelta(days=10)).isoformat()
    _run("appeals", "--format", "csv", "--to", end, "-o", str(path))
    rows = list(csv.reader(io.StringIO(path.read_text("utf-8-sig"))))
    assert [r[2] for r in rows[1:]] == ["路灯不亮"]

    with pytest.raises(CommandError, match="after"):
        _run("appeals", "--from", end, "--to", "2000-01-01", "-o", str(path))
