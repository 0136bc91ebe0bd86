"""The sweeps: who is reminded of what, escalation into orders, and that a
second run writes nothing twice."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from shishi.intake.models import Appeal
from shishi.intake.services import appeal_accept, appeal_submit
from shishi.ledger.models import LedgerItem
from shishi.ledger.services import progress_report_submit
from shishi.reminders.models import Reason, Reminder
from shishi.supervision import sweeps
from shishi.supervision.models import OrderStatus, SupervisionOrder
from shishi.supervision.services import order_answer, order_close

from .conftest import make_overdue

pytestmark = pytest.mark.django_db


def reminders(reason=None):
    rows = Reminder.objects.order_by("recipient__username", "subject")
    if reason:
        rows = rows.filter(reason=reason)
    return [(r.recipient.username, r.reason, r.subject) for r in rows]


# -------------------------------------------------------------- escalation


def test_an_overdue_item_gets_one_order_and_a_second_sweep_adds_nothing(
    overdue_item, erin, carol, hank
):
    first = sweeps.sweep_escalate_overdue()
    assert first == {"orders_issued": 1, "reminders": 2}
    order = SupervisionOrder.objects.get()
    assert order.item == overdue_item
    assert order.unit == overdue_item.lead_unit
    assert order.supervisor == erin
    assert order.status == OrderStatus.ISSUED
    assert order.issued_by is None
    assert "overdue since" in order.reason
    assert order.history.count() == 1
    # The owner and the lead unit's handler must answer; hank's unit need not.
    subject = f"order:{order.pk}"
    assert reminders(Reason.ORDER_ISSUED) == [
        ("carol", Reason.ORDER_ISSUED, subject),
        ("dave", Reason.ORDER_ISSUED, subject),
    ]

    assert sweeps.sweep_escalate_overdue() == {"orders_issued": 0, "reminders": 0}
    assert SupervisionOrder.objects.count() == 1
    assert Reminder.objects.count() == 2


def test_items_within_the_grace_period_or_not_under_way_are_not_escalated(
    claimed_item, make_item, erin, settings
):
    settings.SHISHI_ESCALATE_AFTER_DAYS = 2
    make_overdue(claimed_item, days=1)
    unclaimed = make_overdue(make_item(title="无人领办"), days=30)
    assert sweeps.sweep_escalate_overdue()["orders_issued"] == 0
    make_overdue(claimed_item, days=3)
    assert sweeps.sweep_escalate_overdue()["orders_issued"] == 1
    assert not SupervisionOrder.objects.filter(item=unclaimed).exists()


def test_no_new_order_while_one_is_open_nor_soon_after_it_is_closed(
    overdue_item, erin, carol, settings
):
    settings.SHISHI_REESCALATE_AFTER_DAYS = 7
    sweeps.sweep_escalate_overdue()
    order = SupervisionOrder.objects.get()
    order_answer(order=order, actor=carol, answer="施工队伍已进场,月底前完成")
    assert sweeps.sweep_escalate_overdue()["orders_issued"] == 0  # answered is still open
    order_close(order=order, actor=erin)
    assert sweeps.sweep_escalate_overdue()["orders_issued"] == 0  # just closed

    with time_machine.travel(timezone.now() + dt.timedelta(days=8), tick=False):
        result = sweeps.sweep_escalate_overdue()
        assert result["orders_issued"] == 1  # still overdue a week later
        assert sweeps.sweep_escalate_overdue()["orders_issued"] == 0
    assert SupervisionOrder.objects.filter(item=overdue_item).count() == 2
    assert SupervisionOrder.objects.open().count() == 1


def test_an_item_back_on_time_is_not_escalated_again(overdue_item, erin, carol):
    sweeps.sweep_escalate_overdue()
    order = SupervisionOrder.objects.get()
    order_close(order=order, actor=erin, note="已调整期限")
    LedgerItem.objects.filter(pk=overdue_item.pk).update(
        deadline=timezone.now() + dt.timedelta(days=60)
    )
    with time_machine.travel(timezone.now() + dt.timedelta(days=30), tick=False):
        assert sweeps.sweep_escalate_overdue()["orders_issued"] == 0


def test_orders_go_to_the_least_loaded_supervisor(make_item, dave, district, erin, frank):
    from shishi.ledger.services import item_claim

    for n in range(3):
        item = item_claim(
            item=make_item(title=f"事项{n}"), actor=dave, lead_unit=district["education"]
        )
        make_overdue(item, days=10 - n)
    sweeps.sweep_escalate_overdue()
    loads = {
        name: SupervisionOrder.objects.filter(supervisor__username=name).count()
        for name in ("erin", "frank")
    }
    # Ties go to the supervisor created first.
    assert loads == {"erin": 2, "frank": 1}


def test_a_configured_supervisor_gets_every_order(overdue_item, erin, frank, settings):
    settings.SHISHI_SUPERVISOR = "frank"
    sweeps.sweep_escalate_overdue()
    assert SupervisionOrder.objects.get().supervisor == frank


def test_a_configured_name_that_is_no_supervisor_is_ignored(overdue_item, erin, carol, settings):
    settings.SHISHI_SUPERVISOR = "carol"
    sweeps.sweep_escalate_overdue()
    assert SupervisionOrder.objects.get().supervisor == erin


def test_without_a_supervisor_nothing_is_issued_and_it_says_so(overdue_item):
    result = sweeps.sweep_escalate_overdue()
    assert result == {"orders_issued": 0, "reminders": 0, "items_without_supervisor": 1}
    assert not SupervisionOrder.objects.exists()


def test_a_sweep_killed_midway_loses_nothing_and_doubles_nothing(
    make_item, dave, district, erin, monkeypatch
):
    from shishi.ledger.services import item_claim

    for n in range(3):
        item = item_claim(
            item=make_item(title=f"事项{n}"), actor=dave, lead_unit=district["education"]
        )
        make_overdue(item, days=10 - n)
    monkeypatch.setattr(sweeps, "ESCALATION_BATCH", 1)
    real = sweeps.reminders_create
    calls = []

    def dies_on_the_second_batch(**kwargs):
        calls.append(kwargs)
        if len(calls) == 2:
            raise RuntimeError("worker killed")
        return real(**kwargs)

    monkeypatch.setattr(sweeps, "reminders_create", dies_on_the_second_batch)
    with pytest.raises(RuntimeError):
        sweeps.sweep_escalate_overdue()
    # The first batch committed; the second rolled back whole (order, history, reminders).
    assert SupervisionOrder.objects.count() == 1
    assert SupervisionOrder.history.count() == 1
    monkeypatch.setattr(sweeps, "reminders_create", real)
    assert sweeps.sweep_escalate_overdue()["orders_issued"] == 2
    assert SupervisionOrder.objects.count() == 3
    assert SupervisionOrder.history.count() == 3
    assert Reminder.objects.filter(reason=Reason.ORDER_ISSUED, recipient=dave).count() == 3


def test_an_order_unanswered_past_its_date_reminds_weekly(overdue_item, erin, carol):
    sweeps.sweep_escalate_overdue()
    order = SupervisionOrder.objects.get()
    assert sweeps.sweep_order_deadlines()["orders_answer_overdue"] == 0
    with time_machine.travel(order.answer_due + dt.timedelta(hours=1), tick=False):
        assert sweeps.sweep_order_deadlines() == {"orders_answer_overdue": 1, "reminders": 2}
        assert sweeps.sweep_order_deadlines()["reminders"] == 0
    with time_machine.travel(order.answer_due + dt.timedelta(days=7), tick=False):
        assert sweeps.sweep_order_deadlines()["reminders"] == 2


# ------------------------------------------------------------ item reminders


def test_an_item_due_soon_reminds_its_owner_and_handlers_once(claimed_item, carol, hank, settings):
    settings.SHISHI_ITEM_DUE_SOON_DAYS = 7
    LedgerItem.objects.filter(pk=claimed_item.pk).update(
        deadline=timezone.now() + dt.timedelta(days=5)
    )
    assert sweeps.sweep_item_deadlines() == {
        "items_due_soon": 1,
        "items_overdue": 0,
        "reminders": 2,
    }
    subject = f"item:{claimed_item.pk}"
    assert reminders() == [
        ("carol", Reason.ITEM_DUE_SOON, subject),
        ("dave", Reason.ITEM_DUE_SOON, subject),
    ]
    assert sweeps.sweep_item_deadlines()["reminders"] == 0
    # A deadline moved (and near again) reminds again.
    LedgerItem.objects.filter(pk=claimed_item.pk).update(
        deadline=timezone.now() + dt.timedelta(days=6)
    )
    assert sweeps.sweep_item_deadlines()["reminders"] == 2


def test_an_item_far_from_its_deadline_reminds_nobody(claimed_item, carol):
    assert sweeps.sweep_item_deadlines()["reminders"] == 0


def test_an_overdue_item_reminds_once_a_week(overdue_item, carol):
    with time_machine.travel(dt.datetime(2026, 12, 7, 10, tzinfo=dt.UTC), tick=False):
        assert sweeps.sweep_item_deadlines()["reminders"] == 2
        assert sweeps.sweep_item_deadlines()["reminders"] == 0
    with time_machine.travel(dt.datetime(2026, 12, 11, 10, tzinfo=dt.UTC), tick=False):
        assert sweeps.sweep_item_deadlines()["reminders"] == 0  # the same week
    with time_machine.travel(dt.datetime(2026, 12, 14, 10, tzinfo=dt.UTC), tick=False):
        assert sweeps.sweep_item_deadlines()["reminders"] == 2
    assert Reminder.objects.filter(recipient=overdue_item.owner).count() == 2


# ------------------------------------------------------------ weekly reports


@pytest.fixture
def thursday():
    # 2026-12-10 is a Thursday (Asia/Shanghai).
    with time_machine.travel(dt.datetime(2026, 12, 10, 2, tzinfo=dt.UTC), tick=False):
        yield


def test_a_missing_report_reminds_the_owner_once_a_week(claimed_item, carol, thursday):
    assert sweeps.sweep_missing_reports() == {"items_without_report": 1, "reminders": 1}
    assert reminders() == [("dave", Reason.REPORT_MISSING, f"item:{claimed_item.pk}")]
    assert Reminder.objects.get().params["week"] == "2026-W50"
    assert sweeps.sweep_missing_reports()["reminders"] == 0


def test_a_report_this_week_means_no_reminder(claimed_item, carol, thursday):
    progress_report_submit(item=claimed_item, actor=carol, percent=30, actuals={"新增学位": 100})
    assert sweeps.sweep_missing_reports() == {"items_without_report": 0, "reminders": 0}


def test_early_in_the_week_a_missing_report_is_not_yet_reminded(claimed_item, settings):
    settings.SHISHI_REPORT_REMINDER_WEEKDAY = 3
    # 2026-12-08 is a Tuesday.
    with time_machine.travel(dt.datetime(2026, 12, 8, 2, tzinfo=dt.UTC), tick=False):
        assert sweeps.sweep_missing_reports()["reminders"] == 0


# ------------------------------------------------------------------ appeals


def _appeal(title, **deadlines):
    appeal = appeal_submit(title=title, channel="hotline")
    Appeal.objects.filter(pk=appeal.pk).update(acknowledged_at=None, responded_at=None, **deadlines)
    appeal.refresh_from_db()
    return appeal


def test_appeals_to_acknowledge_are_one_digest_per_clerk(db, bob, carol, settings):
    settings.SHISHI_APPEAL_DUE_SOON_HOURS = 4
    now = timezone.now()
    _appeal("路灯不亮", acknowledge_due=now - dt.timedelta(hours=1))
    _appeal("井盖缺失", acknowledge_due=now + dt.timedelta(hours=2))
    _appeal("噪音扰民", acknowledge_due=now + dt.timedelta(days=2))  # not yet
    result = sweeps.sweep_appeal_deadlines(now=now)
    assert result["appeals_to_acknowledge"] == 2
    digest = Reminder.objects.get(reason=Reason.APPEALS_ACK_DUE)
    assert digest.recipient == bob
    assert digest.params == {"overdue": 1, "due_soon": 1}
    assert "1 past the deadline, 1 due soon" in digest.text
    assert sweeps.sweep_appeal_deadlines(now=now)["reminders"] == 0
    # The next digest window writes a new digest.
    later = now + dt.timedelta(hours=settings.SHISHI_APPEAL_DIGEST_HOURS)
    assert sweeps.sweep_appeal_deadlines(now=later)["reminders"] >= 1


def test_appeals_accepted_into_an_item_are_the_lead_units_to_answer(claimed_item, bob, carol, hank):
    now = timezone.now()
    appeal = appeal_submit(title="学位不足", channel="hotline")
    appeal_accept(appeal=appeal, actor=bob, item=claimed_item)
    Appeal.objects.filter(pk=appeal.pk).update(
        responded_at=None, respond_due=now - dt.timedelta(hours=3)
    )
    _appeal("路灯不亮", respond_due=now + dt.timedelta(hours=1))
    sweeps.sweep_appeal_deadlines(now=now)
    answer = {
        r.recipient.username: r.params
        for r in Reminder.objects.filter(reason=Reason.APPEALS_RESPOND_DUE)
    }
    # carol's unit leads the item; the appeal still in intake is the clerk's.
    assert answer == {"carol": {"overdue": 1, "due_soon": 0}, "bob": {"overdue": 0, "due_soon": 1}}
    links = {
        r.recipient.username: r.link
        for r in Reminder.objects.filter(reason=Reason.APPEALS_RESPOND_DUE)
    }
    assert links == {"carol": reverse("dispatch:my_items"), "bob": reverse("triage:queue")}
    assert sweeps.sweep_appeal_deadlines(now=now)["reminders"] == 0


def test_acknowledged_or_answered_appeals_remind_nobody(db, bob):
    now = timezone.now()
    appeal = _appeal("路灯不亮", acknowledge_due=now - dt.timedelta(hours=1))
    Appeal.objects.filter(pk=appeal.pk).update(acknowledged_at=now, status="triaged")
    assert sweeps.sweep_appeal_deadlines(now=now)["reminders"] == 0


def test_sweep_all_twice_writes_nothing_the_second_time(overdue_item, erin, bob, carol):
    first = sweeps.sweep_all()
    assert first["escalation"]["orders_issued"] == 1
    assert first["items"]["reminders"] == 2
    counts = (Reminder.objects.count(), SupervisionOrder.objects.count())
    second = sweeps.sweep_all()
    assert all(part["reminders"] == 0 for part in second.values())
    assert (Reminder.objects.count(), SupervisionOrder.objects.count()) == counts
