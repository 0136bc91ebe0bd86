"""The three rates on a hand-computed fixture: definitions, empty cases,
thresholds, rankings, weekly trend, the page and the command's three formats.

The fixture (2025-03-03 Mon .. 2025-03-16 Sun; general policy: acknowledge
within 2 working hours, so appeals received at 10:00 are due at 12:00):

    a1 10:00 Mon  accepted into E's item 10:30 (on time); item settled 12 Mar; 满意
    a2 10:00 Mon  accepted into E's item next day (late); settled 12 Mar; 不满意
    a3 10:00 Mon  answered 11:00 (on time)                      centre, resolved
    a4 10:00 Mon  rejected 11:30 (on time), then closed         centre, not resolved
    a5 10:00 Mon  answered 11:30 (on time), then closed         centre, resolved
    a6 10:00 10 Mar  never acknowledged, deadline passed         centre, late
    a7 10:00 16 Mar  not yet acknowledged, due 17 Mar: pending, left out
    a8 received 20 Feb (before), answered 4 Mar                 centre, resolved
    T's item: one follow-up, 基本满意

    response     centre 3/4 = 75.0 (flag)  E 1/2 = 50.0 (flag)  T 无数据
    resolution   centre 3/4 = 75.0          E 2/2 = 100.0        T 无数据
    satisfaction centre 无数据              E 1/2 = 50.0 (flag)  T 1/1 = 100.0
    total        4/6 = 66.7, 5/6 = 83.3, 2/3 = 66.7
"""

import datetime as dt
import io
import zoneinfo

import openpyxl
import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from shishi.intake.rating_keys import rating_key
from shishi.intake.services import (
    appeal_accept,
    appeal_answer,
    appeal_close,
    appeal_reject,
    appeal_submit,
)
from shishi.ledger.models import FollowUp, Satisfaction
from shishi.ledger.services import (
    followup_submit_by_appellant,
    item_claim,
    item_settle,
    item_submit_for_verification,
    progress_report_submit,
)
from shishi.reports.rates import INTAKE_CENTRE, Rate, rates_report

pytestmark = pytest.mark.django_db
SH = zoneinfo.ZoneInfo("Asia/Shanghai")
FIRST, LAST = dt.date(2025, 3, 3), dt.date(2025, 3, 16)
NOW = dt.datetime(2025, 3, 16, 10, 30, tzinfo=SH)


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=SH)


def travel(text: str):
    return time_machine.travel(at(text), tick=False)


@pytest.fixture
def world(make_item, district, bob, carol, dave, erin):
    with travel("2025-03-03 09:00"):
        item_e = item_claim(item=make_item(), actor=dave, lead_unit=district["education"])
        item_t = item_claim(
            item=make_item(title="道路改造"), actor=dave, lead_unit=district["transport"]
        )
    with travel("2025-03-03 10:00"):
        a = {n: appeal_submit(title=f"诉求{n}", channel="hotline") for n in range(1, 6)}
        a[8] = appeal_submit(title="诉求8", channel="web", received_at=at("2025-02-20 10:00"))
    with travel("2025-03-03 10:30"):
        appeal_accept(appeal=a[1], actor=bob, item=item_e)
    with travel("2025-03-03 11:00"):
        appeal_answer(appeal=a[3], actor=bob, answer="已答复")
    with travel("2025-03-03 11:30"):
        appeal_reject(appeal=a[4], actor=bob, reason="不属本区")
        appeal_answer(appeal=a[5], actor=bob, answer="已答复")
    with travel("2025-03-03 13:00"):
        appeal_close(appeal=a[4], actor=bob)
        appeal_close(appeal=a[5], actor=bob)
    with travel("2025-03-04 10:00"):
        appeal_accept(appeal=a[2], actor=bob, item=item_e)
        appeal_answer(appeal=a[8], actor=bob, answer="已答复")
    with travel("2025-03-10 10:00"):
        a[6] = appeal_submit(title="诉求6", channel="hotline")
    with travel("2025-03-12 10:00"):
        progress_report_submit(item=item_e, actor=carol, percent=100, actuals={"新增学位": 6360})
        item_submit_for_verification(item=item_e, actor=dave)
        item_settle(item=item_e, actor=erin, evidence="现场核验")
    with travel("2025-03-13 10:00"):
        followup_submit_by_appellant(
            appeal=a[1], result=Satisfaction.SATISFIED, key=rating_key(a[1])
        )
        followup_submit_by_appellant(
            appeal=a[2], result=Satisfaction.DISSATISFIED, key=rating_key(a[2])
        )
        FollowUp.objects.create(item=item_t, result=Satisfaction.BASICALLY_SATISFIED)
    with travel("2025-03-16 10:00"):
        a[7] = appeal_submit(title="诉求7", channel="hotline")
    return a


def by_name(report):
    return {row.name: row for row in report.units}


def test_the_three_rates_per_unit(world, district):
    report = rates_report(FIRST, LAST, now=NOW)
    rows = by_name(report)
    centre, edu, transport = rows[INTAKE_CENTRE], rows["区教育局"], rows["区城建局"]
    assert centre.rates == {
        "response": Rate(3, 4),
        "resolution": Rate(3, 4),
        "satisfaction": Rate(0, 0),
    }
    assert edu.rates == {
        "response": Rate(1, 2),
        "resolution": Rate(2, 2),
        "satisfaction": Rate(1, 2),
    }
    assert transport.rates["response"].value is None
    assert transport.rates["satisfaction"] == Rate(1, 1)
    assert report.total == {
        "response": Rate(4, 6),
        "resolution": Rate(5, 6),
        "satisfaction": Rate(2, 3),
    }
    assert [str(report.total[r].percent) for r in ("response", "resolution", "satisfaction")] == [
        "66.7",
        "83.3",
        "66.7",
    ]


def test_rankings_leave_units_without_data_unranked(world):
    rows = by_name(rates_report(FIRST, LAST, now=NOW))
    assert rows[INTAKE_CENTRE].ranks["response"] == 1
    assert rows["区教育局"].ranks["response"] == 2
    assert rows["区城建局"].ranks["response"] is None
    assert rows["区城建局"].ranks["satisfaction"] == 1
    assert rows["区教育局"].ranks["satisfaction"] == 2
    assert rows[INTAKE_CENTRE].ranks["satisfaction"] is None


def test_units_below_the_default_thresholds_are_flagged(world):
    rows = by_name(rates_report(FIRST, LAST, now=NOW))
    assert rows[INTAKE_CENTRE].flags == ["response"]
    assert rows["区教育局"].flags == ["response", "satisfaction"]
    assert rows["区城建局"].flags == []


def test_thresholds_come_from_settings_and_a_rate_at_the_threshold_passes(world, settings):
    settings.SHISHI_RATE_THRESHOLDS = {"response": 0.5, "satisfaction": None, "resolution": 0.8}
    rows = by_name(rates_report(FIRST, LAST, now=NOW))
    assert rows["区教育局"].flags == []
    assert rows[INTAKE_CENTRE].flags == ["resolution"]


def test_the_weekly_trend_covers_every_iso_week_of_the_period(world):
    weeks = rates_report(FIRST, LAST, now=NOW).weeks
    assert [w.week for w in weeks] == ["2025-W10", "2025-W11"]
    assert weeks[0].rates == {
        "response": Rate(4, 5),
        "resolution": Rate(3, 4),
        "satisfaction": Rate(0, 0),
    }
    assert weeks[1].rates == {
        "response": Rate(0, 1),
        "resolution": Rate(2, 2),
        "satisfaction": Rate(2, 3),
    }


def test_a_period_without_anything_is_no_data_not_zero(db):
    report = rates_report(dt.date(2024, 1, 1), dt.date(2024, 1, 7))
    assert report.units == []
    assert all(rate.value is None for rate in report.total.values())
    assert [w.week for w in report.weeks] == ["2024-W01"]
    assert Rate(0, 0).display() == "无数据"
    assert Rate(0, 3).display() == "0.0%"
    assert Rate(3, 3).display() == "100.0%"


def test_a_pending_appeal_counts_once_its_deadline_passes(world):
    later = dt.datetime(2025, 3, 17, 12, 0, tzinfo=SH)
    rows = by_name(rates_report(FIRST, LAST, now=later))
    assert rows[INTAKE_CENTRE].rates["response"] == Rate(3, 5)


def test_the_period_bounds_are_local_days_both_included(world):
    rows = by_name(rates_report(dt.date(2025, 3, 10), dt.date(2025, 3, 10), now=NOW))
    assert rows[INTAKE_CENTRE].rates["response"] == Rate(0, 1)
    with pytest.raises(ValueError):
        rates_report(dt.date(2025, 3, 10), dt.date(2025, 3, 9))


# ------------------------------------------------------------- the command


def test_command_prints_csv_with_a_bom(world, capsysbinary):
    with time_machine.travel(NOW, tick=False):
        call_command("report", "rates", "--from", "2025-03-03", "--to", "2025-03-16")
    text = capsysbinary.readouterr().out.decode("utf-8")
    assert text.startswith("\ufeff单位,受理诉求数,按时响应数,响应率(%)")
    lines = text.splitlines()
    edu = next(line for line in lines if line.startswith("区教育局"))
    assert edu.split(",")[1:5] == ["2", "1", "50", "2"]
    transport = next(line for line in lines if line.startswith("区城建局"))
    assert transport.split(",")[3] == "无数据"
    assert lines[-1].startswith("合计,6,4,66.7")


def test_command_writes_xlsx_and_html(world, tmp_path):
    with time_machine.travel(NOW, tick=False):
        call_command(
            "report", "rates", "--from", "2025-03-03", "--to", "2025-03-16",
            "--format", "xlsx", "-o", str(tmp_path / "r.xlsx"),
        )  # fmt: skip
        call_command(
            "report", "rates", "--from", "2025-03-03", "--to", "2025-03-16",
            "--format", "html", "-o", str(tmp_path / "r.html"),
        )  # fmt: skip
    book = openpyxl.load_workbook(tmp_path / "r.xlsx")
    assert book.sheetnames == ["三率", "周趋势"]
    values = [row for row in book["三率"].iter_rows(values_only=True)]
    edu = next(row for row in values if row[0] == "区教育局")
    assert edu[1:4] == (2, 1, 50.0)
    assert edu[-1] == "响应率、满意率"
    weeks = [row for row in book["周趋势"].iter_rows(values_only=True)]
    assert weeks[2][0] == "2025-W10"
    html = (tmp_path / "r.html").read_text()
    assert "三率通报（2025年3月3日至2025年3月16日）" in html
    assert "无数据" in html and "66.7%" in html


def test_command_refuses_bad_dates_and_binary_to_stdout(db):
    with pytest.raises(CommandError, match="Not a date"):
        call_command("report", "rates", "--from", "2025-13-01", "--to", "2025-03-16")
    with pytest.raises(CommandError, match="before"):
        call_command("report", "rates", "--from", "2025-03-16", "--to", "2025-03-01")
    with pytest.raises(CommandError, match="binary"):
        call_command(
            "report", "rates", "--from", "2025-03-01", "--to", "2025-03-16", "--format", "xlsx"
        )


# ---------------------------------------------------------------- the page


@pytest.fixture
def english(settings):
    settings.LANGUAGE_CODE = "en"


def test_page_for_leaders_not_residents(client, alice, dave, english, db):
    url = reverse("reports:rates")
    client.force_login(alice)
    assert client.get(url).status_code == 403
    client.force_login(dave)
    assert client.get(url).status_code == 200


def test_page_shows_the_rates_and_downloads(client, dave, world, english):
    client.force_login(dave)
    url = reverse("reports:rates") + "?from=2025-03-03&to=2025-03-16"
    with time_machine.travel(NOW, tick=False):
        page = client.get(url).content.decode()
        csv = client.get(url + "&format=csv")
        xlsx = client.get(url + "&format=xlsx")
        html = client.get(url + "&format=html")
    assert 'data-unit="区教育局"' in page and "50.0%" in page and "低于阈值" in page
    assert "format=xlsx" in page
    assert csv["Content-Type"].startswith("text/csv")
    assert csv.content.decode("utf-8").startswith("\ufeff单位")
    openpyxl.load_workbook(io.BytesIO(xlsx.content))
    assert "attachment" in html["Content-Disposition"]


@pytest.mark.parametrize(
    "query", ["from=2025-03-16&to=2025-03-01", "from=yesterday", "from=2020-01-01&to=2025-01-01"]
)
def test_page_refuses_bad_periods(client, dave, english, db, query):
    client.force_login(dave)
    response = client.get(reverse("reports:rates") + "?" + query)
    assert response.status_code == 400
    assert b"message-error" in response.content
