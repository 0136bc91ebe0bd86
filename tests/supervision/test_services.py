"""The supervision order's lifecycle, with its rights: the unit (or the owner)
answers, the assigned supervisor sends back or closes; history records it all."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from shishi.intake.services import appeal_submit
from shishi.reminders.models import Reason, Reminder
from shishi.supervision.models import OrderStatus, SupervisionOrder
from shishi.supervision.services import order_answer, order_close, order_issue, order_send_back
from shishi.supervision.sweeps import sweep_escalate_overdue

pytestmark = pytest.mark.django_db


@pytest.fixture
def order(overdue_item, erin):
    sweep_escalate_overdue()
    return SupervisionOrder.objects.get()


# ---------------------------------------------------------------- answering


def test_a_handler_of_the_lead_unit_answers(order, carol, erin):
    order = order_answer(order=order, actor=carol, answer="施工队伍已进场,月底前完成")
    assert order.status == OrderStatus.ANSWERED
    assert order.answered_by == carol
    assert order.answered_at is not None
    # The supervisor is told.
    assert Reminder.objects.filter(recipient=erin, reason=Reason.ORDER_ANSWERED).count() == 1


def test_the_owner_answers(order, dave):
    assert order_answer(order=order, actor=dave, answer="已协调资金").status == OrderStatus.ANSWERED


@pytest.mark.parametrize("who", ["hank", "erin", "bob", "alice"])
def test_nobody_else_answers(order, request, who):
    with pytest.raises(PermissionDenied):
        order_answer(order=order, actor=request.getfixturevalue(who), answer="代为答复")
    order.refresh_from_db()
    assert order.status == OrderStatus.ISSUED


@pytest.mark.parametrize("answer", ["", "   ", "\x00"])
def test_an_answer_must_say_something(order, carol, answer):
    with pytest.raises(ValidationError) as error:
        order_answer(order=order, actor=carol, answer=answer)
    assert "answer" in error.value.message_dict
    order.refresh_from_db()
    assert order.status == OrderStatus.ISSUED


def test_an_answered_order_cannot_be_answered_again(order, carol):
    order_answer(order=order, actor=carol, answer="第一次答复")
    with pytest.raises(ValidationError, match="status is"):
        order_answer(order=order, actor=carol, answer="第二次答复")


# ------------------------------------------------------- the supervisor decides


def test_the_supervisor_sends_an_answer_back_and_the_unit_answers_again(order, carol, dave, erin):
    order_answer(order=order, actor=carol, answer="正在推进")
    before = order.answer_due
    order = order_send_back(order=order, actor=erin, reason="请说明完成时间")
    assert order.status == OrderStatus.ISSUED
    assert order.status_note == "请说明完成时间"
    assert order.answer_due > before or order.answer_due > timezone.now()
    assert set(
        Reminder.objects.filter(reason=Reason.ORDER_SENT_BACK).values_list(
            "recipient__username", flat=True
        )
    ) == {"carol", "dave"}
    order = order_answer(order=order, actor=carol, answer="12月20日前完成")
    assert order_close(order=order, actor=erin).status == OrderStatus.CLOSED


def test_sending_back_needs_a_reason(order, carol, erin):
    order_answer(order=order, actor=carol, answer="正在推进")
    with pytest.raises(ValidationError) as error:
        order_send_back(order=order, actor=erin, reason=" ")
    assert "reason" in error.value.message_dict


def test_only_the_assigned_supervisor_decides(order, carol, frank):
    order_answer(order=order, actor=carol, answer="正在推进")
    with pytest.raises(PermissionDenied, match="艾琳"):
        order_close(order=order, actor=frank)
    with pytest.raises(PermissionDenied):
        order_send_back(order=order, actor=frank, reason="不够具体")
    with pytest.raises(PermissionDenied):
        order_close(order=order, actor=carol)


def test_an_unanswered_order_closes_only_with_a_reason(order, erin):
    with pytest.raises(ValidationError) as error:
        order_close(order=order, actor=erin)
    assert "note" in error.value.message_dict
    order = order_close(order=order, actor=erin, note="事项已调整")
    assert order.status == OrderStatus.CLOSED
    assert order.closed_at is not None


def test_a_closed_order_is_final(order, carol, erin):
    order_close(order=order, actor=erin, note="事项已调整")
    with pytest.raises(ValidationError):
        order_answer(order=order, actor=carol, answer="迟到的答复")
    with pytest.raises(ValidationError):
        order_close(order=order, actor=erin, note="再关一次")


def test_history_records_who_did_what(order, carol, erin):
    order_answer(order=order, actor=carol, answer="正在推进")
    order_send_back(order=order, actor=erin, reason="不够具体")
    order_answer(order=order, actor=carol, answer="12月20日前完成")
    order_close(order=order, actor=erin)
    records = list(order.history.order_by("history_date", "history_id"))
    assert [(r.status, r.history_user) for r in records] == [
        (OrderStatus.ISSUED, None),
        (OrderStatus.ANSWERED, carol),
        (OrderStatus.ISSUED, erin),
        (OrderStatus.ANSWERED, carol),
        (OrderStatus.CLOSED, erin),
    ]
    assert records[2].history_change_reason == "send_back: 不够具体"


# ------------------------------------------------------------- issuing by hand


def test_a_supervisor_issues_an_order_by_hand(claimed_item, erin, carol):
    order = order_issue(actor=erin, item=claimed_item, reason="群众反映进度慢")
    assert order.supervisor == erin
    assert order.issued_by == erin
    assert order.unit == claimed_item.lead_unit
    assert order.answer_due > timezone.now()
    assert Reminder.objects.filter(recipient=carol, reason=Reason.ORDER_ISSUED).exists()
    with pytest.raises(ValidationError, match="still open"):
        order_issue(actor=erin, item=claimed_item, reason="再次督办")


def test_an_order_on_an_appeal_names_the_unit(db, erin, district):
    appeal = appeal_submit(title="路灯不亮", channel="hotline")
    with pytest.raises(ValidationError) as error:
        order_issue(actor=erin, appeal=appeal, reason="超时未受理")
    assert "unit" in error.value.message_dict
    order = order_issue(actor=erin, appeal=appeal, reason="超时未受理", unit=district["street"])
    assert order.appeal == appeal and order.item is None


@pytest.mark.parametrize("who", ["carol", "dave", "bob"])
def test_only_supervisors_issue(claimed_item, request, who):
    with pytest.raises(PermissionDenied):
        order_issue(actor=request.getfixturevalue(who), item=claimed_item, reason="督办")


def test_an_answer_date_in_the_past_is_refused(claimed_item, erin):
    with pytest.raises(ValidationError) as error:
        order_issue(
            actor=erin,
            item=claimed_item,
            reason="督办",
            answer_due=timezone.now() - dt.timedelta(days=1),
        )
    assert "answer_due" in error.value.message_dict
    assert not SupervisionOrder.objects.exists()
