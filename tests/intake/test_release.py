"""Releasing an appeal merged into the wrong item: back to the queue with a
reason, audited; refused with a clear message (and nothing changed) otherwise."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from shishi.intake.models import Appeal, AppealStatus
from shishi.intake.services import appeal_accept, appeal_release, appeal_submit

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english(settings):
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def merged(make_item, bob):
    item = make_item()
    appeal = appeal_submit(title="建设路路灯不亮", channel="hotline")
    return appeal_accept(appeal=appeal, actor=bob, item=item)


def test_a_clerk_releases_an_appeal_back_to_the_queue(merged, bob):
    number = merged.item.number
    released = appeal_release(appeal=merged, actor=bob, reason="说的是另一条路的路灯")
    released.refresh_from_db()
    assert released.status == AppealStatus.TRIAGED and released.item is None
    record = released.history.latest("history_date")
    assert record.history_user == bob
    assert record.history_change_reason == f"released from {number}: 说的是另一条路的路灯"


@pytest.mark.parametrize("reason", ["", "   "])
def test_no_reason_is_refused_and_nothing_changes(merged, bob, reason):
    with pytest.raises(ValidationError) as refused:
        appeal_release(appeal=merged, actor=bob, reason=reason)
    assert "reason" in refused.value.error_dict
    fresh = Appeal.objects.get(pk=merged.pk)
    assert fresh.status == AppealStatus.ACCEPTED and fresh.item_id == merged.item_id
    assert fresh.history.count() == merged.history.count()


def test_an_appeal_in_no_item_is_refused(bob):
    appeal = appeal_submit(title="噪音扰民", channel="hotline")
    with pytest.raises(ValidationError, match="is in no item"):
        appeal_release(appeal=appeal, actor=bob, reason="误操作")
    assert Appeal.objects.get(pk=appeal.pk).status == AppealStatus.RECEIVED


def test_only_clerks_release(merged, carol, dave):
    for who in (carol, dave):
        with pytest.raises(PermissionDenied):
            appeal_release(appeal=merged, actor=who, reason="不是这件事")
    assert Appeal.objects.get(pk=merged.pk).status == AppealStatus.ACCEPTED


def test_a_released_appeal_can_be_merged_again(merged, bob, make_item):
    appeal_release(appeal=merged, actor=bob, reason="并错了")
    other = make_item(title="建设路路灯改造")
    again = appeal_accept(appeal=Appeal.objects.get(pk=merged.pk), actor=bob, item=other)
    assert again.item == other


# ------------------------------------------------------------------ the pages


def page(appeal):
    return reverse("triage:appeal", args=[appeal.tracking_number])


def test_the_appeal_page_offers_release_and_shows_the_reason(client, bob, merged):
    client.force_login(bob)
    response = client.get(page(merged))
    assert 'id="action-release"' in response.text
    response = client.post(page(merged), {"action": "release", "reason": "并错了事项"}, follow=True)
    assert "is released from" in response.text
    assert "并错了事项" in response.text  # in the history
    assert 'id="action-release"' not in response.text


def test_the_appeal_page_says_what_is_missing(client, bob, merged):
    client.force_login(bob)
    response = client.post(page(merged), {"action": "release", "reason": ""})
    assert response.status_code == 200
    assert response.context["forms"]["release"].errors["reason"]
    assert Appeal.objects.get(pk=merged.pk).status == AppealStatus.ACCEPTED


def test_release_from_the_items_appeals_comes_back_to_the_item(client, bob, merged):
    client.force_login(bob)
    item_url = reverse("dispatch:item", args=[merged.item.number])
    response = client.get(item_url)
    assert 'class="inline-form release-form"' in response.text
    response = client.post(
        page(merged), {"action": "release", "reason": "不属于本事项", "next": f"{item_url}#appeals"}
    )
    assert response.status_code == 302 and response["Location"] == f"{item_url}#appeals"
    assert Appeal.objects.get(pk=merged.pk).item is None


def test_a_forged_next_does_not_leave_the_site(client, bob, merged):
    client.force_login(bob)
    response = client.post(
        page(merged), {"action": "release", "reason": "x", "next": "https://evil.example/"}
    )
    assert response["Location"] == page(merged)


def test_handlers_see_no_release_button(client, carol, merged):
    client.force_login(carol)
    response = client.get(reverse("dispatch:item", args=[merged.item.number]))
    assert "release-form" not in response.text
