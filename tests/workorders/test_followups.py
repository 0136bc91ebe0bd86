"""回访 of closed work orders: nobody rates with the public tracking number
alone; a dissatisfied rating alerts the unit and the supervisors, and the
centre re-handles or closes with a reason."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from shishi.intake.models import AppealStatus
from shishi.reminders.models import Reminder
from shishi.workorders import services
from shishi.workorders.models import OrderFollowUp, OrderStatus

from .conftest import GOOD_REPLY


@pytest.fixture
def closed(replied, bob):
    return services.order_review(order=replied, actor=bob, accept=True)


def test_the_tracking_number_alone_rates_nothing(client, closed, alice):
    appeal = closed.appeal
    # Anyone who read the number from the public Open311 list:
    with pytest.raises(PermissionDenied):
        services.order_followup_by_appellant(appeal=appeal, result="dissatisfied")
    with pytest.raises(PermissionDenied):
        services.order_followup_by_appellant(appeal=appeal, result="dissatisfied", key="guess")
    # Another resident's account is not the appellant's.
    with pytest.raises(PermissionDenied):
        services.order_followup_by_appellant(appeal=appeal, result="dissatisfied", actor=alice)
    assert not OrderFollowUp.objects.exists()
    assert not Reminder.objects.exists()


def test_the_appellant_rates_through_their_account(make_appeal, alice, bob, carol, district):
    appeal = make_appeal(submitter=alice)
    order = services.order_dispatch(appeal=appeal, unit=district["education"], actor=bob)
    services.order_sign(order=order, actor=carol)
    services.order_reply(order=order, actor=carol, reply=GOOD_REPLY)
    services.order_review(order=order, actor=bob, accept=True)
    followup = services.order_followup_by_appellant(appeal=appeal, result="satisfied", actor=alice)
    assert followup.by_appellant and followup.recorded_by == alice
    with pytest.raises(ValidationError):
        services.order_followup_by_appellant(appeal=appeal, result="dissatisfied", actor=alice)
    assert OrderFollowUp.objects.count() == 1


def test_dissatisfied_alerts_the_unit_and_the_supervisors(closed, bob, carol, cora, erin):
    services.order_followup_record(order=closed, actor=bob, result="dissatisfied", note="仍不亮")
    recipients = set(Reminder.objects.values_list("recipient__username", flat=True))
    assert recipients == {"carol", "cora", "erin"}
    assert "not satisfied" in Reminder.objects.filter(recipient=erin).get().text


def test_rehandle_then_rate_again(closed, bob, carol):
    services.order_followup_record(order=closed, actor=bob, result="dissatisfied")
    order = services.order_rehandle(order=closed, actor=bob, reason="居民反映仍不亮")
    assert Reminder.objects.filter(recipient=carol, reason="work_order_rehandle").exists()
    assert order.followups.get().decision == "rehandle"
    services.order_reply(order=order, actor=carol, reply=GOOD_REPLY + "已再次检修线路。")
    services.order_review(order=order, actor=bob, accept=True)
    again = services.order_followup_record(order=order, actor=bob, result="satisfied")
    assert again.round == 1
    assert OrderFollowUp.objects.count() == 2


def test_close_with_a_reason_after_dissatisfaction(closed, bob):
    with pytest.raises(ValidationError):
        services.order_followup_close(order=closed, actor=bob, reason="已按政策答复")
    services.order_followup_record(order=closed, actor=bob, result="dissatisfied")
    with pytest.raises(ValidationError):
        services.order_followup_close(order=closed, actor=bob, reason="")
    services.order_followup_close(order=closed, actor=bob, reason="诉求超出政策范围，已解释")
    closed.refresh_from_db()
    closed.appeal.refresh_from_db()
    assert closed.status == OrderStatus.CLOSED
    assert closed.appeal.status == AppealStatus.CLOSED
    assert closed.followups.get().decision == "close"


def test_handlers_do_not_record_follow_ups(closed, carol):
    with pytest.raises(PermissionDenied):
        services.order_followup_record(order=closed, actor=carol, result="satisfied")


def test_the_centre_sees_dissatisfied_orders_to_decide(client, closed, bob):
    services.order_followup_record(order=closed, actor=bob, result="dissatisfied")
    client.force_login(bob)
    page = client.get(reverse("workorders:centre") + "?tab=dissatisfied")
    assert closed.number in page.text
    detail = client.get(reverse("workorders:order", args=[closed.number]))
    assert {"rehandle", "close"} <= {a.name for a, _f in detail.context["actions"]}


def test_the_residents_link_rates_on_the_tracking_page(client, closed):
    from shishi.intake.rating_keys import rating_key

    appeal = closed.appeal
    url = reverse("public:track_rate", args=[appeal.tracking_number])
    # The forgery of issue 14: the public number alone, 不满意.
    forged = client.post(url, {"result": "dissatisfied"})
    assert forged.status_code == 403
    assert not OrderFollowUp.objects.exists() and not Reminder.objects.exists()
    page = client.get(url, {"key": rating_key(appeal)})
    assert page.status_code == 200 and page.context["rating"] == "open"
    done = client.post(url, {"result": "satisfied", "key": rating_key(appeal)})
    assert done.status_code == 302
    followup = OrderFollowUp.objects.get()
    assert followup.by_appellant and followup.recorded_by is None
    again = client.get(url, {"key": rating_key(appeal)})
    assert again.context["rating"] == "rated"


def test_the_answer_notice_invites_a_rating_without_storing_the_key(closed):
    from shishi.intake.rating_keys import rating_key

    notice = closed.appeal.notices.order_by("-pk").first()
    assert notice.invites_rating
    assert rating_key(closed.appeal) not in notice.message
