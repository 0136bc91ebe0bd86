import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from shishi.activities.models import Lecture, MatterKind, Meeting, MeetingKind
from shishi.activities.services import (
    lecture_group_create,
    lecture_record,
    lectures_record_bulk,
    meeting_matters_open,
    meeting_record,
    speaker_add,
)
from shishi.ledger.models import ItemKind, ItemStatus, LedgerItem

DAY = dt.date(2021, 5, 1)


@pytest.fixture
def speaker(district, bob):
    group = lecture_group_create(name="区委宣讲团", unit=district["district"], actor=bob)
    return speaker_add(group=group, name="刘洋", actor=bob)


def test_attendance_below_zero_is_refused_and_nothing_stored(speaker, district, bob):
    with pytest.raises(ValidationError) as error:
        lecture_record(
            speaker=speaker,
            title="党史宣讲",
            held_on=DAY,
            unit=district["community"],
            attendance=-5,
            actor=bob,
        )
    assert "attendance" in error.value.message_dict
    assert "-5" in str(error.value)
    assert Lecture.objects.count() == 0


def test_a_bulk_list_with_one_bad_attendance_stores_nothing(speaker, district, bob):
    good = {"speaker": speaker, "title": "宣讲", "held_on": DAY, "unit": district["community"]}
    with pytest.raises(ValidationError) as error:
        lectures_record_bulk(
            lectures=[{**good, "attendance": 80}, {**good, "attendance": "abc"}], actor=bob
        )
    assert "abc" in str(error.value)
    assert Lecture.objects.count() == 0
    lectures_record_bulk(lectures=[{**good, "attendance": 80}] * 3, actor=bob)
    assert Lecture.objects.count() == 3
    assert Lecture.history.count() == 3


def test_meeting_participants_below_zero_are_refused(district, bob):
    with pytest.raises(ValidationError):
        meeting_record(
            kind=MeetingKind.PROMOTION,
            title="推进会",
            held_on=DAY,
            unit=district["district"],
            participants=-1,
            actor=bob,
        )
    assert Meeting.objects.count() == 0


def test_matters_found_at_a_meeting_become_open_rectification_items(district, bob, category):
    meeting = meeting_record(
        kind=MeetingKind.ORG_LIFE,
        title="专题组织生活会",
        held_on=DAY,
        unit=district["education"],
        participants=30,
        actor=bob,
    )
    matters = meeting_matters_open(
        meeting=meeting,
        titles=["会议室占用", "台账不全"],
        kind=MatterKind.RECTIFY_NOW,
        category=category,
        actor=bob,
    )
    assert len(matters) == 2
    items = LedgerItem.objects.filter(meeting_matter__meeting=meeting)
    assert {i.kind for i in items} == {ItemKind.RECTIFICATION}
    assert {i.status for i in items} == {ItemStatus.OPEN}
    assert {i.lead_unit for i in items} == {district["education"]}
    assert all(i.history.get().history_user == bob for i in items)
    assert len({i.number for i in items}) == 2


def test_a_bad_matter_stores_no_item(district, bob, category, alice):
    meeting = meeting_record(
        kind=MeetingKind.ORG_LIFE,
        title="专题组织生活会",
        held_on=DAY,
        unit=district["education"],
        actor=bob,
    )
    with pytest.raises(ValidationError) as error:
        meeting_matters_open(
            meeting=meeting,
            titles=["会议室占用", "  "],
            kind=MatterKind.RECTIFY_NOW,
            category=category,
            actor=bob,
        )
    assert "2" in str(error.value)
    assert LedgerItem.objects.count() == 0
