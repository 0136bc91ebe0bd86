"""The weekly bulletin's figures, checked against a small district worked out
by hand: nine items through September and October 2021, built through the
services on a simulated clock so that their history says what they were in
each week."""

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from shishi.dashboard.selectors import ReportingRate, item_figures
from shishi.demo.clock import SimClock, simulated_time
from shishi.ledger.models import LedgerItem, week_start
from shishi.ledger.services import (
    item_cancel,
    item_claim,
    item_settle,
    item_submit_for_verification,
    progress_report_submit,
)
from shishi.reports.weekly import (
    NO_REPORT_DUE,
    UnitRow,
    WeekNotStarted,
    bulletin_figures,
    bulletin_render,
    days_overdue,
    rank_units,
    share_of_time_used,
)

pytestmark = pytest.mark.django_db

ZONE = ZoneInfo("Asia/Shanghai")
W39 = dt.date(2021, 9, 27)
W40 = dt.date(2021, 10, 4)
W41 = dt.date(2021, 10, 11)


def t(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=ZONE)


def build_weeks_39_to_41(*, district, make_item, dave, erin) -> dict[str, LedgerItem]:
    """Nine items, A–I, all opened and (but G, H, I) claimed on 2021-09-01 00:00:

    A 教育局, deadline 11-10: 30% in W39, 50% in W40 (corrected to 55% in W41).
    B 教育局, deadline 11-10: 10% in W39, then nothing.
    C 城建局, deadline 10-08: 80% in W40; overdue from 10-08.
    D 城建局, deadline 10-31: 50% in W39, 100% in W40, settled 10-06 12:00.
    E 城建局, deadline 12-30: no report until W41, settled 10-13.
    F 街道,   deadline 12-31: 60% in W39, 100% in W40, awaiting verification since 10-05.
    G open (never claimed), deadline 10-05.
    H cancelled 10-02, deadline 10-03.
    I open, deadline 12-31, claimed by 城建局 only on 10-12.
    """
    edu, transport, street = district["education"], district["transport"], district["street"]
    clock = SimClock(start=t("2021-09-01 00:00"), end=timezone.now())
    items: dict[str, LedgerItem] = {}
    done = {"新增学位": 6360}
    with simulated_time(clock):
        for key, deadline, unit in [
            ("A", "2021-11-10 00:00", edu),
            ("B", "2021-11-10 00:00", edu),
            ("C", "2021-10-08 00:00", transport),
            ("D", "2021-10-31 00:00", transport),
            ("E", "2021-12-30 00:00", transport),
            ("F", "2021-12-31 00:00", street),
            ("G", "2021-10-05 00:00", None),
            ("H", "2021-10-03 00:00", None),
            ("I", "2021-12-31 00:00", None),
        ]:
            item = make_item(title=f"事项{key}", deadline=t(deadline))
            if unit is not None:
                item = item_claim(item=item, actor=dave, lead_unit=unit)
            items[key] = item

        def report(key, percent, week, **kwargs):
            progress_report_submit(
                item=items[key], actor=dave, percent=percent, week=week, **kwargs
            )

        clock.at(t("2021-09-28 10:00"))
        for key, percent in [("A", 30), ("B", 10), ("D", 50), ("F", 60)]:
            report(key, percent, W39)
        clock.at(t("2021-10-02 10:00"))
        item_cancel(item=items["H"], actor=erin, reason="与其他事项合并")
        clock.at(t("2021-10-05 10:00"))
        report("A", 50, W40)
        report("C", 80, W40)
        report("D", 100, W40, actuals=done)
        report("F", 100, W40, actuals=done)
        item_submit_for_verification(item=items["D"], actor=dave)
        item_submit_for_verification(item=items["F"], actor=dave)
        clock.at(t("2021-10-06 12:00"))
        item_settle(item=items["D"], actor=erin, evidence="现场验收合格")
        clock.at(t("2021-10-12 09:00"))
        items["I"] = item_claim(item=items["I"], actor=dave, lead_unit=transport)
        report("E", 100, W41, actuals=done)
        item_submit_for_verification(item=items["E"], actor=dave)
        clock.at(t("2021-10-13 09:00"))
        item_settle(item=items["E"], actor=erin, evidence="现场验收合格")
        clock.at(t("2021-10-14 09:00"))
        report("A", 55, W40)  # a correction of W40: version 2
    return {key: LedgerItem.objects.get(pk=item.pk) for key, item in items.items()}


@pytest.fixture
def weeks(district, make_item, dave, erin):
    return build_weeks_39_to_41(district=district, make_item=make_item, dave=dave, erin=erin)


def units(bulletin) -> dict[str, tuple]:
    """{unit: (rank, due, reported, percent, overdue, behind, settled)}"""
    return {
        u.name: (
            u.rank,
            u.rate.due,
            u.rate.reported,
            u.rate.percent,
            u.overdue,
            u.behind,
            u.settled,
        )
        for u in bulletin.units
    }


# ------------------------------------------------------------- week 40


def test_week_40_reporting_rates_per_unit_and_overall(weeks):
    b = bulletin_figures(W40)
    assert b.week == "2021-W40"
    assert (b.start, b.end, b.as_of) == (t("2021-10-04 00:00"), W41_START, W41_START)
    assert b.complete
    # Owed: A, B (教育局), C, E (城建局: E was still only claimed then). Reported: A, C.
    # 街道's F was awaiting verification: it owed nothing.
    assert units(b) == {
        "区教育局": (1, 2, 1, 50, 0, 1, 0),
        "区城建局": (2, 2, 1, 50, 1, 1, 1),
        "林山寨街道": (None, 0, 0, None, 0, 0, 0),
    }
    assert [u.name for u in b.units] == ["区教育局", "区城建局", "林山寨街道"]
    assert (b.reporting.reported, b.reporting.due, b.reporting.percent) == (2, 4, 50)


W41_START = t("2021-10-11 00:00")


def test_week_40_items_behind_schedule_use_the_time_used_from_claim_to_deadline(weeks):
    b = bulletin_figures(W40)
    # B: 40 of 70 days used → 57%, reported 10% → 47 points behind.
    # E: 40 of 120 days → 33%, no report → 33 behind. A: 57 − 55 (corrected) = 2: not behind.
    assert [(r.number, r.expected_percent, r.latest_percent, r.gap) for r in b.behind] == [
        (weeks["B"].number, 57, 10, 47),
        (weeks["E"].number, 33, None, 33),
    ]
    assert b.behind[0].unit == "区教育局"
    assert b.behind[0].owner == "戴夫"


def test_week_40_overdue_items_as_of_the_weeks_end(weeks):
    b = bulletin_figures(W40)
    # G (open, due 10-05: 6 days), C (due 10-08: 3 days). H was cancelled before its deadline.
    assert [(r.number, r.days_overdue, r.status, r.unit) for r in b.overdue] == [
        (weeks["G"].number, 6, "已建账", ""),
        (weeks["C"].number, 3, "推进中", "区城建局"),
    ]
    assert b.overdue[1].latest_percent == 80


def test_week_40_items_settled_that_week(weeks):
    b = bulletin_figures(W40)
    assert [(r.number, r.settled_at, r.settled_on_time) for r in b.settled] == [
        (weeks["D"].number, t("2021-10-06 12:00"), True)
    ]


def test_week_40_items_by_status_as_they_were_then_not_as_they_are_now(weeks):
    by_status = dict(bulletin_figures(W40).by_status)
    assert by_status == {
        "已建账": 2,  # G, I (claimed only in W41)
        "已领账": 1,  # E (settled in W41)
        "推进中": 3,  # A, B, C
        "待核验": 1,  # F
        "已清账": 1,  # D
        "已暂停": 0,
        "已撤销": 1,  # H
    }
    assert LedgerItem.objects.filter(status="settled").count() == 2  # D and E today


# ------------------------------------------------------------- week 39


def test_week_39_ranks_by_rate_then_overdue_then_behind(weeks):
    b = bulletin_figures(W39)
    # Owed: A, B, C, D, E, F. Reported: A, B, D, F → 4 of 6 = 66% (rounded down).
    assert (b.reporting.reported, b.reporting.due, b.reporting.percent) == (4, 6, 66)
    # 街道 and 教育局 both 100% with nothing overdue; 教育局 has B behind schedule.
    # 城建局: C (89% of its time used, no report) and E (27%, no report) are behind.
    assert units(b) == {
        "林山寨街道": (1, 1, 1, 100, 0, 0, 0),
        "区教育局": (2, 2, 2, 100, 0, 1, 0),
        "区城建局": (3, 3, 1, 33, 0, 2, 0),
    }
    assert [r.number for r in b.behind] == [weeks[k].number for k in "CBE"]
    assert b.overdue == []
    assert b.settled == []


def unit(name, reported, due, overdue=0, behind=0, settled=0):
    rate = ReportingRate(week="2021-W40", reported=reported, due=due)
    return UnitRow(0, name, due, rate, overdue=overdue, behind=behind, settled=settled)


def test_units_equal_on_every_rule_share_a_rank_and_the_next_rank_skips():
    units = [
        unit("丁", 1, 3),  # 33%
        unit("丙", 2, 3, settled=1),  # 66%, but more settled than 乙
        unit("乙", 2, 3),
        unit("甲", 4, 6),  # 66% too: the exact rate, not the rounded percent
        unit("戊", 0, 0),  # owed nothing: not ranked
        unit("己", 3, 3, overdue=1),
    ]
    ranked = rank_units(units)
    assert [(u.name, u.rank) for u in ranked] == [
        ("己", 1),
        ("丙", 2),
        ("乙", 3),
        ("甲", 3),
        ("丁", 5),
    ]
    assert units[4].rank is None


# ----------------------------------------------------------- the others


def test_a_week_before_the_ledger_began_is_empty_and_says_no_report_was_due(weeks):
    b = bulletin_figures(dt.date(2021, 7, 26))
    assert b.units == [] and b.behind == [] and b.overdue == [] and b.settled == []
    assert b.items == 0
    assert b.reporting.due == 0 and b.reporting.percent is None
    html = bulletin_render(dt.date(2021, 7, 26), "html").decode()
    rate = re.search(r'data-figure="overall-rate">([^<]*)<', html).group(1)
    assert rate == NO_REPORT_DUE
    assert "本周没有应报送进展的事项" in html or "台账上还没有事项" in html


def test_a_unit_that_owed_nothing_shows_no_report_due_never_a_percent(weeks):
    html = bulletin_render(W40, "html").decode()
    row = html[html.index('data-unit="林山寨街道"') :]
    row = row[: row.index("</tr>")]
    assert NO_REPORT_DUE in row
    assert "%" not in row


def test_a_week_that_has_not_started_is_refused(db):
    with pytest.raises(WeekNotStarted):
        bulletin_figures(week_start(timezone.localdate()) + dt.timedelta(days=7))


def test_a_week_before_any_ledger_is_refused(db):
    from shishi.reports.weekly import WeekTooEarly

    with pytest.raises(WeekTooEarly, match="too early"):
        bulletin_figures(dt.date.fromisocalendar(1900, 1, 1))


def test_the_running_week_matches_the_dashboard(claimed_item, make_item, dave, district):
    other = item_claim(item=make_item(title="第二件"), actor=dave, lead_unit=district["transport"])
    progress_report_submit(item=claimed_item, actor=dave, percent=20)
    monday = week_start(timezone.localdate())
    b = bulletin_figures(monday)
    dashboard = item_figures().reporting
    assert not b.complete
    assert (b.reporting.reported, b.reporting.due) == (dashboard.reported, dashboard.due) == (1, 2)
    assert {u.name: u.rate.percent for u in b.units} == {"区教育局": 100, "区城建局": 0}
    assert other.pk not in {r.item_id for r in b.overdue}


def test_items_without_history_are_counted_as_they_stand_now(claimed_item, district, bob):
    item = LedgerItem.objects.get(pk=claimed_item.pk)
    item.pk, item.id, item.number = None, None, "BULK-1"
    LedgerItem.objects.bulk_create([item])  # bulk_create writes no history
    b = bulletin_figures(week_start(timezone.localdate()))
    assert b.untracked
    assert b.reporting.due == 2


def test_the_query_count_does_not_grow_with_the_ledger(weeks, make_item, dave, district):
    with CaptureQueriesContext(connection) as small:
        bulletin_figures(W40)
    for n in range(5):
        item_claim(item=make_item(title=f"新事项{n}"), actor=dave, lead_unit=district["community"])
    with CaptureQueriesContext(connection) as large:
        bulletin_figures(week_start(timezone.localdate()))
    assert len(small) == len(large) <= 8  # 6, and 2 for the work orders of the week


def test_share_of_time_used_and_days_overdue():
    claimed, deadline = t("2021-09-01 00:00"), t("2021-11-10 00:00")
    assert share_of_time_used(claimed, deadline, t("2021-10-11 00:00")) == 57
    assert share_of_time_used(claimed, deadline, claimed - dt.timedelta(days=1)) == 0
    assert share_of_time_used(claimed, deadline, t("2022-01-01 00:00")) == 100
    assert share_of_time_used(deadline, deadline, deadline) == 100
    assert days_overdue(t("2021-10-08 00:00"), t("2021-10-11 00:00")) == 3
    assert days_overdue(t("2021-10-10 18:00"), t("2021-10-11 00:00")) == 1  # a part day
