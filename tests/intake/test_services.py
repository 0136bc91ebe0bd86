"""The appeal lifecycle and intake validation."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from shishi.intake.models import Appeal, AppealStatus
from shishi.intake.services import (
    appeal_accept,
    appeal_answer,
    appeal_close,
    appeal_reject,
    appeal_submit,
    appeal_triage,
    tracking_number_normalise,
)
from shishi.ledger.services import item_cancel

pytestmark = pytest.mark.django_db


def test_an_appeal_gets_a_tracking_number(district):
    appeal = appeal_submit(
        title="小区门口积水",
        body="每逢下雨，建设路社区门口积水严重",
        channel="hotline",
        community=district["community"],
        submitter_phone="13800001234",
        lat="34.7466",
        lng="113.6253",
    )
    assert appeal.status == AppealStatus.RECEIVED
    assert len(appeal.tracking_number) == 13 and appeal.tracking_number[6] == "-"
    assert (
        tracking_number_normalise(f" {appeal.tracking_number.lower()} ") == appeal.tracking_number
    )
    assert appeal.history.count() == 1


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"title": ""}, "title"),
        ({"title": "x" * 201}, "title"),
        ({"body": "x" * 10_001}, "body"),
        ({"channel": "pigeon"}, "channel"),
        ({"lat": "34.7"}, "lat"),
        ({"lat": "134.7", "lng": "113.6"}, "lat"),
        ({"lat": "34.7", "lng": "213.6"}, "lng"),
        ({"received_at": timezone.now() + dt.timedelta(days=1)}, "received_at"),
        ({"received_at": dt.datetime(2021, 3, 1, 9, 0)}, "received_at"),  # noqa: DTZ001
        ({"submitter_email": "not-an-email"}, "submitter_email"),
    ],
)
def test_bad_appeal_input_names_the_field_and_stores_nothing(kwargs, field):
    appeal_submit(title="已有诉求", channel="web")
    data = {"title": "路灯不亮", "channel": "web", **kwargs}
    with pytest.raises(ValidationError) as err:
        appeal_submit(**data)
    assert field in err.value.message_dict, err.value
    assert Appeal.objects.count() == 1


def test_a_street_is_not_a_community(district):
    with pytest.raises(ValidationError) as err:
        appeal_submit(title="路灯不亮", channel="web", community=district["street"])
    assert "community" in err.value.message_dict


def test_an_event_of_another_channel_is_refused(district):
    from shishi.intake.models import CollectionEvent

    forum = CollectionEvent.objects.create(
        channel="forum",
        title="座谈会",
        held_on=timezone.localdate(),
        unit=district["street"],
        count=30,
    )
    with pytest.raises(ValidationError) as err:
        appeal_submit(title="路灯不亮", channel="visit", event=forum)
    assert "event" in err.value.message_dict


def test_triage_answer_close(bob, category):
    appeal = appeal_submit(title="咨询公租房申请条件", channel="hotline")
    appeal = appeal_triage(appeal=appeal, actor=bob, category=category)
    assert (appeal.status, appeal.category) == (AppealStatus.TRIAGED, category)
    appeal = appeal_answer(appeal=appeal, actor=bob, answer="请携带身份证到街道办理")
    assert appeal.status == AppealStatus.ANSWERED and appeal.notices.count() == 1
    appeal = appeal_close(appeal=appeal, actor=bob)
    assert appeal.status == AppealStatus.CLOSED and appeal.closed_at
    with pytest.raises(ValidationError):
        appeal_answer(appeal=appeal, actor=bob, answer="再答一次")


def test_reject_needs_a_reason(bob):
    appeal = appeal_submit(title="要求拆除合法建筑", channel="web")
    with pytest.raises(ValidationError) as err:
        appeal_reject(appeal=appeal, actor=bob, reason="")
    assert "reason" in err.value.message_dict
    appeal = appeal_reject(appeal=appeal, actor=bob, reason="不属于本区职责范围")
    assert appeal.status == AppealStatus.REJECTED and appeal.status_note == "不属于本区职责范围"


def test_an_accepted_appeal_closes_only_with_its_item(bob, make_item):
    appeal = appeal_submit(title="学位紧张", channel="forum")
    appeal = appeal_accept(appeal=appeal, actor=bob, item=make_item())
    with pytest.raises(ValidationError):
        appeal_close(appeal=appeal, actor=bob)


def test_no_appeals_join_a_cancelled_item(bob, erin, make_item):
    item = item_cancel(item=make_item(), actor=erin, reason="重复立项")
    appeal = appeal_submit(title="学位紧张", channel="forum")
    with pytest.raises(ValidationError) as err:
        appeal_accept(appeal=appeal, actor=bob, item=item)
    assert "item" in err.value.message_dict


@pytest.mark.parametrize("who", ["alice", "carol", "dave"])
def test_only_clerks_triage(request, who, category):
    person = request.getfixturevalue(who)
    appeal = appeal_submit(title="路灯不亮", channel="web")
    with pytest.raises(PermissionDenied):
        appeal_triage(appeal=appeal, actor=person, category=category)


def test_a_collection_event_keeps_its_own_count(district):
    from shishi.intake.models import EVENT_COUNT_LABELS
    from shishi.intake.services import collection_event_create

    event = collection_event_create(
        channel="questionnaire",
        title="第一批调查问卷",
        held_on=timezone.localdate(),
        unit=district["street"],
        count=1200,
    )
    assert event.count_label == str(EVENT_COUNT_LABELS["questionnaire"])
    for bad, field in (
        ({"count": -1}, "count"),
        ({"held_on": timezone.localdate() + dt.timedelta(days=2)}, "held_on"),
        ({"channel": "x"}, "channel"),
    ):
        data = {
            "channel": "forum",
            "title": "座谈会",
            "held_on": timezone.localdate(),
            "unit": district["street"],
            **bad,
        }
        with pytest.raises(ValidationError) as err:
            collection_event_create(**data)
        assert field in err.value.message_dict


def test_accept_reads_the_item_afresh(bob, erin, make_item):
    item = make_item()
    stale = type(item).objects.get(pk=item.pk)
    item_cancel(item=item, actor=erin, reason="重复立项")
    appeal = appeal_submit(title="学位紧张", channel="forum")
    with pytest.raises(ValidationError) as err:
        appeal_accept(appeal=appeal, actor=bob, item=stale)
    assert "item" in err.value.message_dict
