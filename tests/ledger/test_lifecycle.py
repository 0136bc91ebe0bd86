"""Every ledger-item transition, legal and illegal, through the services."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from shishi.intake.models import AppealStatus
from shishi.intake.services import appeal_accept, appeal_submit, appeal_triage
from shishi.ledger.lifecycle import ITEM_TRANSITIONS
from shishi.ledger.models import ItemStatus, LedgerItem, ProgressReport, week_start
from shishi.ledger.services import (
    followup_record,
    item_cancel,
    item_claim,
    item_open,
    item_reopen,
    item_resume,
    item_send_back,
    item_settle,
    item_start,
    item_submit_for_verification,
    item_suspend,
    progress_report_submit,
)

pytestmark = pytest.mark.django_db


def assert_refused_because_of(err, status: str) -> None:
    """The refusal is a transition error that names the current status."""
    assert err.value.code == "invalid_transition"
    assert str(ItemStatus(status).label) in err.value.messages[0]


def settle_ready(item, handler, owner):
    progress_report_submit(item=item, actor=handler, percent=100, actuals={"新增学位": 6360})
    return item_submit_for_verification(item=item, actor=owner)


def test_full_loop_from_appeal_to_settlement(make_item, bob, carol, dave, erin, district, category):
    appeal = appeal_submit(title="学位紧张", body="孩子明年上学", channel="forum")
    appeal_triage(appeal=appeal, actor=bob, category=category)
    item = make_item(open_it=False)
    appeal_accept(appeal=appeal, actor=bob, item=item)
    assert item.status == ItemStatus.DRAFT

    item = item_open(item=item, actor=bob)
    assert item.status == ItemStatus.OPEN and item.opened_at is not None

    item = item_claim(item=item, actor=dave, lead_unit=district["education"])
    assert (item.status, item.owner, item.claimed_by) == (ItemStatus.CLAIMED, dave, dave)
    assert item.claimed_at is not None

    progress_report_submit(item=item, actor=carol, percent=40, actuals={"新增学位": 2000})
    item.refresh_from_db()
    assert item.status == ItemStatus.IN_PROGRESS

    item = settle_ready(item, carol, dave)
    assert item.status == ItemStatus.AWAITING_VERIFICATION

    item = item_settle(item=item, actor=erin, evidence="现场核验：新增学位6360个，验收合格")
    assert item.status == ItemStatus.SETTLED
    assert item.verifier == erin and item.settled_at is not None

    appeal.refresh_from_db()
    assert appeal.status == AppealStatus.CLOSED and appeal.closed_at is not None
    # The submitter is owed a notice of the settlement.
    assert appeal.notices.filter(sent_at__isnull=True).count() == 1


@pytest.mark.parametrize(
    "name",
    sorted(ITEM_TRANSITIONS),
)
def test_every_transition_lists_where_it_may_start(name):
    transition = ITEM_TRANSITIONS[name]
    assert transition.sources, name
    assert set(transition.sources) <= set(ItemStatus.values)


def test_open_refuses_a_non_draft(make_item, bob):
    item = make_item()
    with pytest.raises(ValidationError) as err:
        item_open(item=item, actor=bob)
    assert_refused_because_of(err, ItemStatus.OPEN)


def test_open_refuses_a_past_deadline_and_changes_nothing(make_item, bob):
    item = make_item(open_it=False)
    LedgerItem.objects.filter(pk=item.pk).update(deadline=timezone.now() - dt.timedelta(days=1))
    with pytest.raises(ValidationError) as err:
        item_open(item=item, actor=bob)
    assert "deadline" in err.value.message_dict
    item.refresh_from_db()
    assert item.status == ItemStatus.DRAFT and item.opened_at is None


def test_open_needs_a_target_for_a_project(make_item, bob):
    item = make_item(open_it=False, targets=[])
    with pytest.raises(ValidationError) as err:
        item_open(item=item, actor=bob)
    assert "targets" in err.value.message_dict


def test_claim_refuses_a_draft(make_item, dave, district):
    item = make_item(open_it=False)
    with pytest.raises(ValidationError) as err:
        item_claim(item=item, actor=dave, lead_unit=district["education"])
    assert_refused_because_of(err, ItemStatus.DRAFT)


def test_second_claim_is_refused_naming_the_first_owner(make_item, dave, lena, district):
    item = make_item()
    item_claim(item=item, actor=dave, lead_unit=district["education"])
    with pytest.raises(ValidationError) as err:
        item_claim(item=item, actor=lena, lead_unit=district["transport"])
    assert "戴夫" in str(err.value)
    item.refresh_from_db()
    assert item.owner == dave and item.lead_unit == district["education"]


def test_start_moves_a_claimed_item_into_progress(claimed_item, carol):
    item = item_start(item=claimed_item, actor=carol)
    assert item.status == ItemStatus.IN_PROGRESS
    with pytest.raises(ValidationError):
        item_start(item=item, actor=carol)


def test_submit_requires_in_progress(claimed_item, dave):
    with pytest.raises(ValidationError) as err:
        item_submit_for_verification(item=claimed_item, actor=dave)
    assert_refused_because_of(err, ItemStatus.CLAIMED)


def test_send_back_returns_to_work_with_a_note(claimed_item, carol, dave, erin):
    item = settle_ready(claimed_item, carol, dave)
    with pytest.raises(ValidationError) as err:
        item_send_back(item=item, actor=erin, note="  ")
    assert "note" in err.value.message_dict
    item = item_send_back(item=item, actor=erin, note="照片不清楚，请补充")
    assert item.status == ItemStatus.IN_PROGRESS and item.status_note == "照片不清楚，请补充"


def test_settle_needs_evidence(claimed_item, carol, dave, erin):
    item = settle_ready(claimed_item, carol, dave)
    with pytest.raises(ValidationError) as err:
        item_settle(item=item, actor=erin, evidence="")
    assert "evidence" in err.value.message_dict
    item.refresh_from_db()
    assert item.status == ItemStatus.AWAITING_VERIFICATION


def test_settle_needs_an_actual_for_every_target(make_item, dave, carol, erin, district):
    from shishi.ledger.services import TargetSpec

    item = make_item(targets=[TargetSpec("新增学位", "个", 100), TargetSpec("新增教学班", "个", 3)])
    item = item_claim(item=item, actor=dave, lead_unit=district["education"])
    progress_report_submit(item=item, actor=carol, percent=100, actuals={"新增学位": 100})
    item_submit_for_verification(item=item, actor=dave)
    with pytest.raises(ValidationError, match="新增教学班"):
        item_settle(item=item, actor=erin, evidence="已核验")


def test_settle_refuses_an_item_not_awaiting_verification(claimed_item, erin):
    with pytest.raises(ValidationError) as err:
        item_settle(item=claimed_item, actor=erin, evidence="已核验")
    assert_refused_because_of(err, ItemStatus.CLAIMED)


def test_reopen_needs_a_reason_and_reopens_the_appeals(
    claimed_item, bob, carol, dave, erin, category
):
    appeal = appeal_submit(title="学位紧张", channel="web")
    appeal_accept(appeal=appeal, actor=bob, item=claimed_item)
    item = settle_ready(claimed_item, carol, dave)
    item = item_settle(item=item, actor=erin, evidence="已核验")
    with pytest.raises(ValidationError):
        item_reopen(item=item, actor=erin, reason="")
    item = item_reopen(item=item, actor=erin, reason="群众反映学位仍不足")
    assert item.status == ItemStatus.IN_PROGRESS
    assert item.verifier is None and item.settled_at is None
    appeal.refresh_from_db()
    assert appeal.status == AppealStatus.ACCEPTED and appeal.closed_at is None


def test_reopen_refuses_an_item_in_progress(claimed_item, erin):
    with pytest.raises(ValidationError) as err:
        item_reopen(item=claimed_item, actor=erin, reason="?")
    assert_refused_because_of(err, ItemStatus.CLAIMED)


def test_suspend_and_resume_return_to_the_earlier_status(claimed_item, erin):
    item = item_suspend(item=claimed_item, actor=erin, reason="等待规划审批")
    assert item.status == ItemStatus.SUSPENDED
    with pytest.raises(ValidationError):
        item_suspend(item=item, actor=erin, reason="再次")
    item = item_resume(item=item, actor=erin)
    assert item.status == ItemStatus.CLAIMED


def test_cancel_with_a_reason_releases_the_appeals(make_item, bob, erin):
    item = make_item()
    appeal = appeal_submit(title="学位紧张", channel="web")
    appeal_accept(appeal=appeal, actor=bob, item=item)
    with pytest.raises(ValidationError):
        item_cancel(item=item, actor=erin, reason="")
    item = item_cancel(item=item, actor=erin, reason="与另一事项合并")
    assert item.status == ItemStatus.CANCELLED
    appeal.refresh_from_db()
    assert appeal.status == AppealStatus.TRIAGED and appeal.item is None
    with pytest.raises(ValidationError):
        item_cancel(item=item, actor=erin, reason="again")
    # A cancelled item with no owner reopens onto the open ledger.
    assert item_reopen(item=item, actor=erin, reason="恢复").status == ItemStatus.OPEN


def test_dissatisfied_followup_can_reopen(claimed_item, carol, dave, erin):
    item = settle_ready(claimed_item, carol, dave)
    item = item_settle(item=item, actor=erin, evidence="已核验")
    followup_record(item=item, actor=erin, result="satisfied", note="很好")
    item.refresh_from_db()
    assert item.status == ItemStatus.SETTLED
    with pytest.raises(ValidationError):
        followup_record(item=item, actor=erin, result="satisfied", reopen=True)
    followup_record(item=item, actor=erin, result="dissatisfied", note="电梯仍未运行", reopen=True)
    item.refresh_from_db()
    assert item.status == ItemStatus.IN_PROGRESS and item.status_note == "电梯仍未运行"
    assert item.followups.count() == 2


def test_followup_refused_before_settlement(claimed_item, erin):
    with pytest.raises(ValidationError):
        followup_record(item=claimed_item, actor=erin, result="satisfied")


def test_overdue_is_derived_from_the_deadline(make_item, dave, district):
    item = make_item()
    assert not item.is_overdue()
    later = item.deadline + dt.timedelta(minutes=1)
    assert item.is_overdue(later)
    assert LedgerItem.objects.overdue(later).filter(pk=item.pk).exists()
    assert not LedgerItem.objects.overdue().filter(pk=item.pk).exists()


def test_weekly_report_correction_keeps_the_old_version(claimed_item, carol):
    first = progress_report_submit(
        item=claimed_item, actor=carol, percent=30, actuals={"新增学位": 1000}
    )
    second = progress_report_submit(
        item=claimed_item, actor=carol, percent=35, actuals={"新增学位": 1200}
    )
    first.refresh_from_db()
    assert (first.version, first.is_current) == (1, False)
    assert (second.version, second.is_current) == (2, True)
    assert first.actuals.get().quantity == Decimal("1000.00")
    assert ProgressReport.objects.filter(item=claimed_item, is_current=True).count() == 1
    assert claimed_item.targets.get().actual_quantity == Decimal("1200.00")


def test_a_late_correction_does_not_overwrite_newer_actuals(claimed_item, carol):
    today = timezone.localdate()
    last_week = today - dt.timedelta(days=7)
    progress_report_submit(
        item=claimed_item, actor=carol, percent=20, actuals={"新增学位": 500}, week=last_week
    )
    progress_report_submit(item=claimed_item, actor=carol, percent=40, actuals={"新增学位": 900})
    progress_report_submit(
        item=claimed_item, actor=carol, percent=25, actuals={"新增学位": 600}, week=last_week
    )
    assert claimed_item.targets.get().actual_quantity == Decimal("900.00")


def test_missing_report_lists_active_items_without_this_weeks_report(
    make_item, claimed_item, carol
):
    monday = week_start(timezone.localdate())
    unclaimed = make_item(title="另一件实事")
    assert list(LedgerItem.objects.missing_report(monday)) == [claimed_item]
    progress_report_submit(item=claimed_item, actor=carol, percent=10)
    assert not LedgerItem.objects.missing_report(monday).exists()
    assert unclaimed not in LedgerItem.objects.missing_report(monday)


def test_report_refused_for_a_future_week_or_bad_percent(claimed_item, carol):
    with pytest.raises(ValidationError) as err:
        progress_report_submit(
            item=claimed_item,
            actor=carol,
            percent=10,
            week=timezone.localdate() + dt.timedelta(days=8),
        )
    assert "week" in err.value.message_dict
    for bad in (-1, 101, "abc"):
        with pytest.raises(ValidationError) as err:
            progress_report_submit(item=claimed_item, actor=carol, percent=bad)
        assert "percent" in err.value.message_dict
    with pytest.raises(ValidationError) as err:
        progress_report_submit(
            item=claimed_item, actor=carol, percent=10, actuals={"不存在的指标": 1}
        )
    assert "actuals" in err.value.message_dict
    with pytest.raises(ValidationError):
        progress_report_submit(item=claimed_item, actor=carol, percent=10, actuals={"新增学位": -5})
    assert not ProgressReport.objects.exists()


def test_report_refused_on_an_open_item(make_item, dave, carol):
    item = make_item()
    # Even the future owner cannot report before claiming.
    with pytest.raises((ValidationError, PermissionDenied)):
        progress_report_submit(item=item, actor=carol, percent=10)
