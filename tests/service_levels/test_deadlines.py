"""Policies (the migration's defaults, the most specific wins), the deadlines
appeal_submit stores, and their recomputation on triage and acceptance."""

import datetime as dt
import time
import zoneinfo

import pytest
import time_machine
from django.core.management import call_command

from shishi.categories.services import category_create
from shishi.intake.models import Appeal
from shishi.intake.services import appeal_accept, appeal_answer, appeal_submit, appeal_triage
from shishi.ledger.services import item_create
from shishi.service_levels.deadlines import (
    BOOK_MAX_AGE,
    PolicyBook,
    appeal_deadlines,
    current_book,
    item_settle_due,
)
from shishi.service_levels.models import HolidayCalendar, ServiceLevelPolicy

pytestmark = pytest.mark.django_db
SH = zoneinfo.ZoneInfo("Asia/Shanghai")
TARGET = {"name": "完成", "unit_of_measure": "项", "target_quantity": 1}


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=SH)


@pytest.fixture
def tree(db):
    city = category_create(name="城市管理", code="city")
    utilities = category_create(name="供水供电", code="utilities", parent=city)
    water = category_create(name="停水", code="water", parent=utilities)
    emergency = category_create(name="紧急险情", code="emergency")
    call_command("service_levels", "defaults")
    return {"city": city, "utilities": utilities, "water": water, "emergency": emergency}


def test_the_official_holidays_come_from_chinesecalendar_and_a_default_policy_is_loaded():
    from shishi.service_levels.holidays_cn import known_years

    assert known_years() >= set(range(2020, 2027))
    assert not HolidayCalendar.objects.exists()  # the admin holds local changes only
    default = ServiceLevelPolicy.objects.get(kind="", category=None)
    assert (default.respond_within, default.respond_unit) == (7, "working_days")


def test_general_appeal_due_in_seven_working_days_over_the_spring_festival(tree):
    # Received Monday 27 Jan 2025 at 16:00; 28 Jan–4 Feb off, Sat 8 Feb worked.
    with time_machine.travel(at("2025-01-27 16:00"), tick=False):
        appeal = appeal_submit(title="路面破损", channel="hotline", category=tree["city"])
    # 2 working hours: 16:00–17:30 then 30 minutes on 5 Feb.
    assert appeal.acknowledge_due == at("2025-02-05 09:30")
    # Working days after the 27th: 5, 6, 7, 8 (Sat, 调休), 10, 11, 12 Feb.
    assert appeal.respond_due == at("2025-02-12 17:30")


def test_a_subcategory_inherits_the_utility_policy_in_calendar_hours(tree):
    with time_machine.travel(at("2025-10-01 08:00"), tick=False):
        appeal = appeal_submit(title="整栋楼停水", channel="hotline", category=tree["water"])
    assert appeal.acknowledge_due == at("2025-10-01 09:00")
    assert appeal.respond_due == at("2025-10-02 08:00")


def test_emergency_within_two_hours_even_when_it_joins_a_project(tree, make_item, bob):
    item = make_item(category=tree["city"])
    with time_machine.travel(at("2025-03-08 23:00"), tick=False):
        appeal = appeal_submit(title="燃气泄漏", channel="hotline", category=tree["emergency"])
        assert appeal.acknowledge_due == at("2025-03-08 23:30")
        assert appeal.respond_due == at("2025-03-09 01:00")
    appeal = appeal_accept(appeal=appeal, actor=bob, item=item)
    assert appeal.respond_due == at("2025-03-09 01:00")


def test_accepting_into_a_project_gives_fifteen_working_days(tree, make_item, bob):
    item = make_item(category=tree["city"])
    with time_machine.travel(at("2025-03-03 10:00"), tick=False):
        appeal = appeal_submit(title="道路改造", channel="web", category=tree["city"])
    assert appeal.respond_due == at("2025-03-12 17:30")
    appeal = appeal_accept(appeal=appeal, actor=bob, item=item)
    assert appeal.respond_due == at("2025-03-24 17:30")
    appeal.refresh_from_db()
    assert appeal.respond_due == at("2025-03-24 17:30")


def test_triage_into_another_category_recomputes_until_responded(tree, bob):
    with time_machine.travel(at("2025-03-03 10:00"), tick=False):
        appeal = appeal_submit(title="没水了", channel="web")
    assert appeal.respond_due == at("2025-03-12 17:30")
    appeal = appeal_triage(appeal=appeal, actor=bob, category=tree["water"])
    assert appeal.respond_due == at("2025-03-04 10:00")
    # Acknowledgement already owed from receipt does not move.
    assert appeal.acknowledge_due == at("2025-03-03 12:00")
    appeal = appeal_answer(appeal=appeal, actor=bob, answer="已恢复供水")
    responded_due = appeal.respond_due
    appeal = Appeal.objects.get(pk=appeal.pk)
    assert appeal.respond_due == responded_due


def test_a_kind_policy_for_the_same_category_beats_the_kindless_one(tree):
    ServiceLevelPolicy.objects.create(
        name="城管项目",
        kind="project",
        category=tree["city"],
        respond_within=3,
        respond_unit="days",
    )
    book = PolicyBook.load()
    assert book.limits(category_id=tree["city"].pk, kind="project").respond.amount == 3
    assert book.limits(category_id=tree["city"].pk).respond.amount == 7
    # An empty limit comes from the less specific policy.
    assert book.limits(category_id=tree["city"].pk, kind="project").acknowledge.amount == 2


def test_an_inactive_policy_does_not_count(tree):
    ServiceLevelPolicy.objects.filter(category=tree["utilities"]).update(is_active=False)
    due = appeal_deadlines(received_at=at("2025-03-03 10:00"), category_id=tree["water"].pk)
    assert due.respond_due == at("2025-03-12 17:30")


def test_claims_are_settled_within_24_hours_of_application(tree):
    start = at("2025-01-27 16:00")
    assert item_settle_due(start=start, kind="claim", category_id=None) == at("2025-01-28 16:00")
    assert item_settle_due(start=start, kind="project", category_id=None) is None


def test_a_time_to_settle_sets_a_new_items_deadline(tree, bob):
    ServiceLevelPolicy.objects.create(
        name="城管项目办结",
        kind="project",
        category=tree["city"],
        settle_within=3,
        settle_unit="working_days",
    )
    with time_machine.travel(
        at("2025-01-24 10:00"), tick=False
    ):  # a Friday before the Spring Festival
        item = item_create(
            kind="project", title="修复路灯", category=tree["water"], actor=bob, targets=[TARGET]
        )
        other = item_create(
            kind="project", title="学位", category=tree["emergency"], actor=bob, targets=[TARGET]
        )
    # 3 working days: Sunday the 26th (a make-up working day), Monday the 27th,
    # then the Spring Festival (28 January to 4 February), then Wednesday the 5th.
    assert item.deadline == at("2025-02-05 17:30")
    # No time to settle for that category: the kind's default (180 days).
    assert other.deadline == at("2025-01-24 10:00") + dt.timedelta(days=180)


def test_a_policy_book_answers_many_appeals_without_queries(tree, django_assert_num_queries):
    book = PolicyBook.load()
    with django_assert_num_queries(0):
        for minute in range(500):
            book.appeal_deadlines(
                received_at=at("2025-03-03 10:00") + dt.timedelta(minutes=minute),
                category_id=tree["water"].pk if minute % 2 else tree["city"].pk,
            )


def test_a_year_without_calendar_counts_monday_to_friday(tree):
    # 2027's schedule is not published (nor in chinesecalendar) yet.
    due = appeal_deadlines(received_at=at("2027-09-24 15:00"), category_id=None)
    assert due.respond_due == at("2027-10-05 17:30")


def test_2026_holidays_count(tree):
    # Issue 18: the hand-written table stopped at 2025, so 2026's deadlines ran
    # through the National Day holiday (1-7 October; 10 October worked).
    due = appeal_deadlines(received_at=at("2026-09-30 10:00"), category_id=None)
    assert due.respond_due == at("2026-10-15 17:30")


def test_a_local_day_in_the_admin_overrides_the_official_schedule(tree):
    from shishi.service_levels.models import CalendarDay

    calendar = HolidayCalendar.objects.create(year=2026, source="区政府通知")
    # A local day off on a working Thursday, and the official make-up Saturday not worked.
    CalendarDay.objects.create(calendar=calendar, date=dt.date(2026, 10, 8), name="地方休假")
    CalendarDay.objects.create(
        calendar=calendar, date=dt.date(2026, 10, 10), is_working_day=False, name="不调休"
    )
    due = appeal_deadlines(received_at=at("2026-09-30 10:00"), category_id=None)
    assert due.respond_due == at("2026-10-19 17:30")


def test_backfill_fills_only_appeals_without_deadlines(tree, bob):
    with time_machine.travel(at("2025-03-03 10:00"), tick=False):
        old = appeal_submit(title="旧诉求", channel="web", category=tree["water"])
        kept = appeal_submit(title="已有时限", channel="web")
    Appeal.objects.filter(pk=old.pk).update(acknowledge_due=None, respond_due=None)
    Appeal.objects.filter(pk=kept.pk).update(respond_due=at("2030-01-01 00:00"))
    call_command("service_levels", "backfill", "--batch", "1")
    old.refresh_from_db()
    kept.refresh_from_db()
    assert old.respond_due == at("2025-03-04 10:00")
    assert kept.respond_due == at("2030-01-01 00:00")


def test_defaults_command_is_idempotent(tree):
    before = ServiceLevelPolicy.objects.count()
    call_command("service_levels", "defaults")
    assert ServiceLevelPolicy.objects.count() == before
    assert ServiceLevelPolicy.objects.filter(category=tree["utilities"]).exists()
    assert not ServiceLevelPolicy.objects.filter(category=tree["water"]).exists()


def test_an_appeal_released_by_a_cancelled_item_is_due_as_before(tree, make_item, bob, erin):
    from shishi.ledger.services import item_cancel

    item = make_item(category=tree["city"])
    with time_machine.travel(at("2025-03-03 10:00"), tick=False):
        appeal = appeal_submit(title="道路改造", channel="web", category=tree["city"])
    appeal = appeal_accept(appeal=appeal, actor=bob, item=item)
    assert appeal.respond_due == at("2025-03-24 17:30")
    item_cancel(item=item, actor=erin, reason="重复立项")
    appeal.refresh_from_db()
    assert appeal.status == "triaged" and appeal.respond_due == at("2025-03-12 17:30")


def test_each_process_keeps_its_book_until_a_policy_changes(tree, django_assert_num_queries):
    book = current_book()
    with django_assert_num_queries(0):
        assert current_book() is book
    policy = ServiceLevelPolicy.objects.get(kind="", category=None)
    policy.respond_within = 5
    policy.save()
    renewed = current_book()
    assert renewed is not book
    assert renewed.limits(category_id=None).respond.amount == 5


def test_a_category_moved_in_the_tree_renews_the_book(tree):
    book = current_book()
    tree["water"].parent = tree["emergency"]
    tree["water"].save()
    assert current_book() is not book


def test_the_book_is_loaded_again_after_a_minute_whatever_the_cache_says(tree, monkeypatch):
    book = current_book()
    later = time.monotonic() + BOOK_MAX_AGE + 1
    monkeypatch.setattr("shishi.service_levels.deadlines.time.monotonic", lambda: later)
    assert current_book() is not book
