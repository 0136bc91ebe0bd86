"""The weekly bulletin's page and downloads: who may see them, a week typed
wrong, and the workbook read back."""

import datetime as dt
import io
from urllib.parse import unquote

import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone

from shishi.ledger.models import iso_week_label, week_start
from shishi.ledger.services import item_claim, progress_report_submit
from shishi.org.services import unit_create
from shishi.reports.weekly import RANKING_RULE

from .test_weekly import build_weeks_39_to_41

pytestmark = pytest.mark.django_db

BULLETIN = reverse("reports:weekly")


@pytest.fixture(autouse=True)
def english(settings):
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def weeks(district, make_item, dave, erin):
    return build_weeks_39_to_41(district=district, make_item=make_item, dave=dave, erin=erin)


# ------------------------------------------------------------------- rights


def test_anonymous_visitors_are_sent_to_the_login_page(client):
    response = client.get(BULLETIN + "?week=2021-W40&format=xlsx")
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))


def test_a_resident_may_not_see_the_bulletin_nor_download_it(client, alice):
    client.force_login(alice)
    assert client.get(BULLETIN).status_code == 403
    assert client.get(BULLETIN + "?week=2021-W40&format=xlsx").status_code == 403


def test_staff_see_this_weeks_bulletin_by_default(client, bob, claimed_item, dave):
    progress_report_submit(item=claimed_item, actor=dave, percent=40)
    client.force_login(bob)
    response = client.get(BULLETIN)
    assert response.status_code == 200
    html = response.content.decode()
    this_week = iso_week_label(week_start(timezone.localdate()))
    assert f'Weekly bulletin <span class="nums">{this_week}</span>' in html
    assert "本周尚未结束" in html  # the running week says so
    assert 'data-unit="区教育局"' in html
    assert f"?week={this_week}&amp;format=xlsx" in html


# -------------------------------------------------------------- bad weeks


@pytest.mark.parametrize(
    ("week", "message"),
    [
        ("next-tuesday", "is not a week"),
        ("2021-W54", "is not a week"),
        ("2021-W00", "is not a week"),
        ("9999-W01", "has not started yet"),
        # Issue 18: 1900-W01 was accepted.
        ("1900-W01", "is too early"),
        ("0001-W01", "is too early"),
    ],
)
def test_a_bad_week_is_a_form_error_not_a_server_error(client, bob, week, message):
    client.force_login(bob)
    response = client.get(BULLETIN, {"week": week})
    assert response.status_code == 400
    html = response.content.decode()
    assert message in html
    assert 'class="field-error"' in html
    assert "data-unit=" not in html


def test_an_unknown_format_is_a_form_error(client, bob):
    client.force_login(bob)
    response = client.get(BULLETIN, {"week": "2021-W40", "format": "docx"})
    assert response.status_code == 400
    assert "docx" in response.content.decode()


def test_the_week_of_the_page_is_the_one_asked_for(client, bob, weeks):
    client.force_login(bob)
    html = client.get(BULLETIN, {"week": "2021-w40"}).content.decode()
    assert "2021年10月4日至2021年10月10日（2021-W40）" in html
    assert "本周尚未结束" not in html
    assert 'href="?week=2021-W39"' in html and 'href="?week=2021-W41"' in html


# ---------------------------------------------------------------- downloads


def test_the_html_download_is_a_standalone_document(client, bob, weeks):
    client.force_login(bob)
    response = client.get(BULLETIN, {"week": "2021-W40", "format": "html"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert "周调度通报-2021-W40.html" in unquote(disposition)
    html = response.content.decode()
    assert "<h1>周调度通报（2021-W40）</h1>" in html
    assert "<style>" in html and "@page" in html
    assert "<link" not in html and "<script" not in html  # nothing to fetch


def test_the_workbook_reads_back_with_every_table(client, bob, weeks):
    client.force_login(bob)
    response = client.get(BULLETIN, {"week": "2021-W40", "format": "xlsx"})
    assert response.status_code == 200
    assert "周调度通报-2021-W40.xlsx" in unquote(response["Content-Disposition"])
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == [
        "概况",
        "单位报送与排名",
        "进度滞后事项",
        "逾期事项",
        "本周清账事项",
        "事项状态",
    ]
    summary = {row[0]: row[1] for row in book["概况"].iter_rows(min_row=4, values_only=True)}
    assert summary["统计周"] == "2021-W40"
    assert (summary["应报送进展事项"], summary["已报送"], summary["报送率"]) == (4, 2, 0.5)

    units = book["单位报送与排名"]
    assert units.freeze_panes == "A4"
    assert [c.value for c in units[3]][:6] == ["排名", "牵头单位", "应报", "已报", "未报", "报送率"]
    rows = [row[:6] for row in units.iter_rows(min_row=4, values_only=True)]
    assert rows == [
        (1, "区教育局", 2, 1, 1, 0.5),
        (2, "区城建局", 2, 1, 1, 0.5),
        ("—", "林山寨街道", 0, 0, 0, "无应报事项"),
        (None, "合计", 4, 2, 2, 0.5),
        (f"排名规则：{RANKING_RULE}", None, None, None, None, None),
    ]
    assert units["F4"].number_format == "0%"
    assert units.column_dimensions["B"].width == 24

    overdue = book["逾期事项"]
    assert [(r[1], r[7]) for r in overdue.iter_rows(min_row=4, values_only=True)] == [
        (weeks["G"].number, 6),
        (weeks["C"].number, 3),
    ]
    assert isinstance(overdue["G4"].value, dt.datetime)  # the deadline, as a date cell
    behind = book["进度滞后事项"]
    assert [r[1] for r in behind.iter_rows(min_row=4, values_only=True)] == [
        weeks["B"].number,
        weeks["E"].number,
    ]
    settled = list(book["本周清账事项"].iter_rows(min_row=4, values_only=True))
    assert [(r[1], r[7]) for r in settled] == [(weeks["D"].number, "按期")]


def test_an_empty_list_says_so_in_the_workbook(client, bob, weeks):
    client.force_login(bob)
    response = client.get(BULLETIN, {"week": "2021-W39", "format": "xlsx"})
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    assert book["逾期事项"]["A4"].value == "截至本周末没有逾期事项。"


def test_a_name_that_looks_like_a_formula_stays_text_in_the_workbook(
    client, bob, make_item, dave, district
):
    unit = unit_create(
        name='=HYPERLINK("http://x","点")', kind="department", parent=district["district"]
    )
    item = item_claim(item=make_item(title="+1+2 修路"), actor=dave, lead_unit=unit)
    progress_report_submit(item=item, actor=dave, percent=0)
    client.force_login(bob)
    response = client.get(BULLETIN, {"format": "xlsx"})
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    cell = book["单位报送与排名"]["B4"]
    assert cell.value == unit.name
    assert cell.data_type == "s"
    assert cell.quotePrefix
    behind_or_any = [c for ws in book for row in ws.iter_rows() for c in row]
    assert not [c for c in behind_or_any if c.data_type == "f"]


def test_the_page_makes_the_same_queries_for_a_bigger_ledger(
    client, bob, weeks, make_item, dave, district, django_assert_max_num_queries
):
    client.force_login(bob)
    client.get(BULLETIN, {"week": "2021-W40"})  # warm: session, permissions
    # 12, and 2 for the week's work orders per unit (shishi.workorders).
    with django_assert_max_num_queries(14):
        client.get(BULLETIN, {"week": "2021-W40"})
    for n in range(4):
        item_claim(item=make_item(title=f"新事项{n}"), actor=dave, lead_unit=district["street"])
    with django_assert_max_num_queries(14):
        client.get(BULLETIN)
