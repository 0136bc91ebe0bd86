import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from shishi.selection.models import Nomination, Score
from shishi.selection.services import (
    call_create,
    call_publish,
    nomination_submit,
    score_submit,
    scores_visible,
)


@pytest.fixture
def call(bob):
    return call_create(
        title="党史学习之星", deadline=timezone.now() + dt.timedelta(days=7), places=1, actor=bob
    )


@pytest.fixture
def nominations(call, district, bob, alice):
    first = nomination_submit(
        call=call,
        nominee="艾丽斯",
        unit=district["education"],
        materials="事迹材料",
        actor=bob,
        nominee_user=alice,
    )
    second = nomination_submit(
        call=call, nominee="张伟", unit=district["transport"], materials="事迹材料", actor=bob
    )
    return first, second


def test_one_reviewer_cannot_score_twice(nominations, dave):
    first, _second = nominations
    score_submit(nomination=first, reviewer=dave, points=90)
    with pytest.raises(ValidationError) as error:
        score_submit(nomination=first, reviewer=dave, points=60)
    assert "戴夫" in str(error.value)
    assert Score.objects.get().points == 90


def test_a_score_out_of_range_or_by_a_non_reviewer_is_refused(nominations, dave, bob):
    first, _second = nominations
    with pytest.raises(ValidationError) as error:
        score_submit(nomination=first, reviewer=dave, points=101)
    assert "points" in error.value.message_dict
    with pytest.raises(PermissionDenied):
        score_submit(nomination=first, reviewer=bob, points=80)
    assert Score.objects.count() == 0


def test_scores_are_hidden_from_the_nominee_until_published(
    call, nominations, dave, erin, bob, alice
):
    first, second = nominations
    assert not scores_visible(alice, first)
    assert scores_visible(dave, first)
    score_submit(nomination=first, reviewer=dave, points=95)
    score_submit(nomination=second, reviewer=erin, points=70)
    with pytest.raises(ValidationError):
        call_publish(call=call, actor=bob)  # still open
    call.deadline = timezone.now() - dt.timedelta(minutes=1)
    call.save()
    [selected] = call_publish(call=call, actor=bob)
    assert selected == first
    first.refresh_from_db()
    assert scores_visible(alice, first)
    assert list(Nomination.objects.filter(selected=True)) == [first]
    with pytest.raises(ValidationError):
        score_submit(nomination=second, reviewer=dave, points=99)


def test_publishing_waits_for_every_nomination_to_be_scored(call, nominations, dave, bob):
    first, _second = nominations
    score_submit(nomination=first, reviewer=dave, points=95)
    call.deadline = timezone.now() - dt.timedelta(minutes=1)
    call.save()
    with pytest.raises(ValidationError) as error:
        call_publish(call=call, actor=bob)
    assert "1" in str(error.value)
    assert not Nomination.objects.filter(selected=True).exists()


def test_nominations_close_at_the_deadline(call, district, bob):
    call.deadline = timezone.now() - dt.timedelta(minutes=1)
    call.save()
    with pytest.raises(ValidationError):
        nomination_submit(
            call=call, nominee="迟到", unit=district["education"], materials="材料", actor=bob
        )
    assert Nomination.objects.count() == 0
