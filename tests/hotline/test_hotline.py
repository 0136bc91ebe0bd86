"""话务受理: who may record, what is stored (and nothing on bad input), the
suggestions while typing (with and without htmx), and the 一键派单 hook."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from shishi.hotline.services import hotline_appeal_record
from shishi.intake.models import Appeal, AppealStatus, Channel
from shishi.org.models import Unit
from shishi.suggestions.services import suggestions_train
from shishi.workorders.models import WorkOrder

pytestmark = pytest.mark.django_db

RECORD = reverse("hotline:record")
SUGGEST = reverse("hotline:suggest")


def call(**fields):
    data = {
        "channel": "hotline",
        "submitter_name": "王先生",
        "submitter_phone": "13800001234",
        "address": "建设路12号",
        "body": "建设路12号门口路灯不亮已经一周，晚上行人看不清路",
    }
    data.update(fields)
    return data


@pytest.mark.parametrize("who", ["alice", "carol", "dave"])
def test_only_intake_clerks_may_record(client, who, request):
    client.force_login(request.getfixturevalue(who))
    assert client.get(RECORD).status_code == 403
    assert client.post(RECORD, call()).status_code == 403
    assert client.post(SUGGEST, call()).status_code == 403
    assert not Appeal.objects.exists()


def test_anonymous_visitors_are_sent_to_log_in(client, db):
    assert client.get(RECORD).status_code == 302


def test_the_service_refuses_a_resident(alice):
    with pytest.raises(Exception, match="Only intake clerks"):
        hotline_appeal_record(actor=alice, channel="hotline", body="路灯不亮")
    assert not Appeal.objects.exists()


@pytest.mark.parametrize("channel", ["hotline", "walk_in", "letter"])
def test_a_call_is_recorded_acknowledged_with_its_channel(clerk, bob, district, channel):
    response = clerk.post(
        RECORD, call(channel=channel, community=district["community"].pk), follow=True
    )
    appeal = Appeal.objects.get()
    assert appeal.channel == channel
    assert appeal.status == AppealStatus.RECEIVED
    assert appeal.acknowledged_at is not None  # staff took it in as they recorded it
    assert appeal.submitter_name == "王先生" and appeal.submitter_phone == "13800001234"
    assert appeal.community == district["community"] and appeal.address == "建设路12号"
    # No title typed: the text's first words.
    assert appeal.title.startswith("建设路12号门口路灯不亮")
    assert appeal.history.latest("history_date").history_user == bob
    # The clerk reads the number to the caller, on a fresh form for the next call.
    assert appeal.tracking_number in response.text
    assert response.context["form"].is_bound is False


def test_the_new_channels_are_choices_of_appeals():
    assert {"walk_in", "letter"} <= set(Channel.values)


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"body": ""}, "body", "This field is required."),
        ({"channel": "web"}, "channel", "Select a valid choice."),
        ({"submitter_phone": "1" * 41}, "submitter_phone", "at most 40 characters"),
        ({"title": "x" * 201}, "title", "at most 200 characters"),
    ],
)
def test_bad_input_says_what_is_wrong_and_stores_nothing(clerk, fields, field, message):
    response = clerk.post(RECORD, call(**fields))
    assert response.status_code == 200
    assert any(message in error for error in response.context["form"].errors[field])
    assert not Appeal.objects.exists()


def test_an_unknown_channel_is_refused_by_the_service(bob):
    with pytest.raises(ValidationError) as refused:
        hotline_appeal_record(actor=bob, channel="web", body="路灯不亮")
    assert "channel" in refused.value.error_dict
    assert not Appeal.objects.exists()


def test_checking_stores_nothing(clerk):
    response = clerk.post(RECORD, call(check="1"))
    assert response.status_code == 200
    assert not Appeal.objects.exists()
    assert response.context["form"]["body"].value() == call()["body"]


@pytest.mark.slow
def test_suggestions_while_typing_and_without_javascript(clerk, history, tree):
    suggestions_train()
    text = "秦岭路路口红绿灯时间太短，行人过马路很危险"
    # htmx: the block alone.
    response = clerk.post(SUGGEST, {"body": text})
    assert response.status_code == 200
    assert response.context["suggestions"].category.category == tree["traffic"]
    assert "Likely duplicates" in response.text or "Related appeals" in response.text
    assert "<html" not in response.text
    assert "data-adopt-category" not in response.text  # no htmx, nothing to adopt with
    response = clerk.post(SUGGEST, {"body": text}, headers={"HX-Request": "true"})
    assert f'data-adopt-category="{tree["traffic"].pk}"' in response.text
    # Without JavaScript: “Check” shows the same and proposes the category.
    before = Appeal.objects.count()
    response = clerk.post(RECORD, call(body=text, check="1"))
    assert response.context["form"]["category"].value() == str(tree["traffic"].pk)
    assert "Suggested category" in response.text
    assert Appeal.objects.count() == before


def test_suggestions_need_a_few_characters(clerk):
    response = clerk.post(SUGGEST, {"body": "灯"})
    assert response.context["suggestions"] is None
    assert "Type what the caller asks for" in response.text


# ---------------------------------------------------------------- 一键派单


def test_dispatch_on_the_same_page_makes_a_work_order(clerk, district, bob):
    assert 'id="hotline-dispatch"' in clerk.get(RECORD).text
    clerk.post(RECORD, call(dispatch_to=district["education"].pk))
    appeal = Appeal.objects.get()
    order = WorkOrder.objects.get(appeal=appeal)
    assert order.unit == district["education"] and order.status == "dispatched"
    assert order.dispatched_by == bob


def test_a_refused_dispatch_leaves_no_appeal_behind(district, bob):
    from shishi.hotline.services import hotline_appeal_record

    Unit.objects.filter(pk=district["transport"].pk).update(is_active=False)
    district["transport"].refresh_from_db()
    with pytest.raises(ValidationError):
        hotline_appeal_record(
            actor=bob,
            channel="hotline",
            body="建设路路灯不亮已经一周",
            dispatch_to=district["transport"],
        )
    assert not Appeal.objects.exists() and not WorkOrder.objects.exists()
