"""The work-order loop through its services: each move, who may make it, and
bad input that is refused with a clear message and stores nothing."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from shishi.intake.models import AppealNotice, AppealStatus
from shishi.intake.services import appeal_accept, appeal_answer
from shishi.workorders import services
from shishi.workorders.lifecycle import ORDER_TRANSITIONS
from shishi.workorders.models import (
    ExtensionRequest,
    ExtensionStatus,
    OrderStatus,
    WorkOrder,
)

from .conftest import GOOD_REPLY


def test_every_transition_names_known_states():
    for transition in ORDER_TRANSITIONS.values():
        assert transition.sources <= set(OrderStatus.values)
        assert transition.target in OrderStatus.values


def test_dispatch_moves_the_appeal_and_tells_the_resident(appeal, bob, district):
    order = services.order_dispatch(
        appeal=appeal,
        unit=district["education"],
        cooperating_units=[district["transport"], district["education"]],
        actor=bob,
    )
    appeal.refresh_from_db()
    assert order.status == OrderStatus.DISPATCHED
    assert order.number == f"{appeal.tracking_number}-1"
    assert appeal.status == AppealStatus.DISPATCHED
    # The lead unit is not its own cooperating unit.
    assert list(order.cooperating_units.all()) == [district["transport"]]
    assert order.sign_due is not None and order.sign_due < order.due_at
    assert AppealNotice.objects.filter(appeal=appeal, message__contains="区教育局").exists()
    assert order.history.get().history_user == bob


def test_full_loop_closes_the_appeal_as_answered(replied, bob):
    order = services.order_review(order=replied, actor=bob, accept=True)
    assert order.status == OrderStatus.CLOSED
    appeal = order.appeal
    appeal.refresh_from_db()
    assert appeal.status == AppealStatus.ANSWERED
    assert appeal.status_note == GOOD_REPLY
    assert appeal.responded_at is not None and appeal.outcome == "answered"
    # Every move is in the history, with who made it.
    moves = list(order.history.order_by("history_date").values_list("status", "history_user"))
    assert [s for s, _ in moves] == ["dispatched", "signed", "replied", "closed"]


def test_only_the_centre_dispatches(appeal, carol, district):
    with pytest.raises(PermissionDenied):
        services.order_dispatch(appeal=appeal, unit=district["education"], actor=carol)
    assert not WorkOrder.objects.exists()


def test_dispatch_to_an_inactive_unit_is_refused_and_stores_nothing(appeal, bob, district):
    unit = district["transport"]
    unit.is_active = False
    unit.save()
    with pytest.raises(ValidationError) as refused:
        services.order_dispatch(appeal=appeal, unit=unit, actor=bob)
    assert "no longer active" in str(refused.value)
    appeal.refresh_from_db()
    assert appeal.status == AppealStatus.RECEIVED
    assert not WorkOrder.objects.exists()
    assert not AppealNotice.objects.exists()


def test_an_appeal_is_in_one_loop_at_a_time(order, make_item, bob, district):
    appeal = order.appeal
    # Already with a unit: no second order, no item, no direct answer.
    with pytest.raises(ValidationError):
        services.order_dispatch(appeal=appeal, unit=district["transport"], actor=bob)
    with pytest.raises(ValidationError):
        appeal_accept(appeal=appeal, actor=bob, item=make_item())
    with pytest.raises(ValidationError):
        appeal_answer(appeal=appeal, actor=bob, answer="已答复")
    assert WorkOrder.objects.count() == 1


def test_an_appeal_in_an_item_gets_no_order(appeal, make_item, bob, district):
    appeal_accept(appeal=appeal, actor=bob, item=make_item())
    with pytest.raises(ValidationError):
        services.order_dispatch(appeal=appeal, unit=district["education"], actor=bob)
    assert not WorkOrder.objects.exists()


def test_the_database_keeps_one_live_order_per_appeal(order):
    with pytest.raises(IntegrityError), transaction.atomic():
        WorkOrder.objects.create(
            number="X-2", appeal=order.appeal, unit=order.unit, due_at=order.due_at
        )


def test_only_a_handler_of_the_lead_unit_signs(order, hank, bob):
    for outsider in (hank, bob):
        with pytest.raises(PermissionDenied):
            services.order_sign(order=order, actor=outsider)
    order.refresh_from_db()
    assert order.status == OrderStatus.DISPATCHED and order.signed_at is None


def test_a_second_sign_is_refused_saying_who_signed(signed, cora):
    with pytest.raises(ValidationError) as refused:
        services.order_sign(order=signed, actor=cora)
    assert "already signed for by 卡罗尔" in str(refused.value)
    signed.refresh_from_db()
    assert signed.signed_by.username == "carol"
    assert signed.history.count() == 2


@pytest.mark.parametrize(
    "reply",
    ["已收悉", "谢谢！", "您好，已收悉，谢谢。", "收到，感谢您的反映！", "   ", "好的"],
)
def test_a_reply_that_says_nothing_is_refused(signed, carol, reply):
    with pytest.raises(ValidationError) as refused:
        services.order_reply(order=signed, actor=carol, reply=reply)
    assert "reply" in refused.value.error_dict
    signed.refresh_from_db()
    assert signed.status == OrderStatus.SIGNED and signed.reply == ""


def test_a_reply_before_signing_is_refused(order, carol):
    with pytest.raises(ValidationError) as refused:
        services.order_reply(order=order, actor=carol, reply=GOOD_REPLY)
    assert "waiting to sign" in str(refused.value)


def test_return_needs_a_reason_and_stores_nothing_without(order, carol):
    with pytest.raises(ValidationError) as refused:
        services.order_return(order=order, actor=carol, reason="  ")
    assert "reason" in refused.value.error_dict
    order.refresh_from_db()
    assert order.status == OrderStatus.DISPATCHED and order.returned_at is None


def test_return_and_redispatch_counts_the_return_for_the_unit(order, carol, bob, hank, district):
    services.order_return(order=order, actor=carol, reason="路灯归城管局管理，不属我局职责")
    order.refresh_from_db()
    assert order.status == OrderStatus.RETURNED
    new = services.order_redispatch(order=order, unit=district["transport"], actor=bob)
    order.refresh_from_db()
    assert order.status == OrderStatus.REASSIGNED
    assert order.returned_at is not None  # still counted against the education bureau
    assert new.previous == order and new.number.endswith("-2")
    assert new.status == OrderStatus.DISPATCHED
    services.order_sign(order=new, actor=hank)
    assert (
        WorkOrder.objects.filter(unit=district["education"], returned_at__isnull=False).count() == 1
    )


def test_a_unit_cannot_pass_an_order_on_itself(order, carol, district):
    with pytest.raises(PermissionDenied):
        services.order_redispatch(order=order, unit=district["transport"], actor=carol)


def test_extension_within_the_policy_is_approved(signed, carol, bob):
    new_due = signed.due_at + dt.timedelta(days=2)
    request = services.order_extension_request(
        order=signed, actor=carol, reason="需协调供电公司停电检修", new_due=new_due
    )
    services.order_extension_decide(request=request, actor=bob, approve=True)
    signed.refresh_from_db()
    assert signed.due_at == new_due and signed.extension_count == 1


def test_extension_past_the_policy_maximum_is_refused(signed, carol):
    too_late = services.extension_max_due(signed) + dt.timedelta(minutes=1)
    with pytest.raises(ValidationError) as refused:
        services.order_extension_request(
            order=signed, actor=carol, reason="需协调", new_due=too_late
        )
    assert "new_due" in refused.value.error_dict
    assert not ExtensionRequest.objects.exists()


def test_extension_needs_a_reason_and_a_later_date(signed, carol):
    with pytest.raises(ValidationError):
        services.order_extension_request(
            order=signed, actor=carol, reason="", new_due=signed.due_at + dt.timedelta(days=1)
        )
    with pytest.raises(ValidationError):
        services.order_extension_request(
            order=signed, actor=carol, reason="需协调", new_due=signed.due_at
        )
    assert not ExtensionRequest.objects.exists()


def test_a_refused_extension_needs_a_reason_and_keeps_the_deadline(signed, carol, bob):
    due = signed.due_at
    request = services.order_extension_request(
        order=signed, actor=carol, reason="需协调", new_due=due + dt.timedelta(days=1)
    )
    with pytest.raises(ValidationError):
        services.order_extension_decide(request=request, actor=bob, approve=False)
    services.order_extension_decide(request=request, actor=bob, approve=False, note="时限内可办")
    request.refresh_from_db()
    signed.refresh_from_db()
    assert request.status == ExtensionStatus.REFUSED
    assert signed.due_at == due and signed.extension_count == 0
    with pytest.raises(ValidationError):
        services.order_extension_decide(request=request, actor=bob, approve=True)


def test_review_sends_back_with_a_reason(replied, bob):
    with pytest.raises(ValidationError):
        services.order_review(order=replied, actor=bob, accept=False)
    order = services.order_review(order=replied, actor=bob, accept=False, note="未说明维修时间")
    assert order.status == OrderStatus.SIGNED and order.review_note == "未说明维修时间"
    order.appeal.refresh_from_db()
    assert order.appeal.status == AppealStatus.DISPATCHED


def test_handlers_do_not_review(replied, carol):
    with pytest.raises(PermissionDenied):
        services.order_review(order=replied, actor=carol, accept=True)


def test_rehandle_goes_back_to_the_same_unit_and_counts(replied, bob):
    closed = services.order_review(order=replied, actor=bob, accept=True)
    # Only a resident's dissatisfaction sends a closed order back.
    with pytest.raises(ValidationError):
        services.order_rehandle(order=closed, actor=bob, reason="居民反映路灯仍不亮")
    services.order_followup_record(order=closed, actor=bob, result="dissatisfied")
    before = timezone.now()
    order = services.order_rehandle(order=closed, actor=bob, reason="居民反映路灯仍不亮")
    assert order.status == OrderStatus.SIGNED and order.rehandle_count == 1
    assert order.unit_id == closed.unit_id and order.due_at > before
    order.appeal.refresh_from_db()
    assert order.appeal.status == AppealStatus.DISPATCHED


def test_cancel_sends_the_appeal_back_to_the_queue(order, bob):
    services.order_cancel(order=order, actor=bob, reason="重复诉求")
    order.refresh_from_db()
    order.appeal.refresh_from_db()
    assert order.status == OrderStatus.CANCELLED
    assert order.appeal.status == AppealStatus.TRIAGED
