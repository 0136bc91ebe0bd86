import datetime as dt

from shishi.activities.models import MeetingKind
from shishi.activities.services import (
    lecture_group_create,
    lectures_record_bulk,
    meeting_record,
    speaker_add,
)
from shishi.core.stats import campaign_figures
from shishi.organisation.stats import FIGURES, organisation_values

DAY = dt.date(2021, 5, 1)


def test_the_figures_are_counted_from_rows_in_one_query(bob, district, django_assert_num_queries):
    for kind in (MeetingKind.PROMOTION, MeetingKind.FORUM, MeetingKind.ORG_LIFE):
        meeting_record(kind=kind, title="会", held_on=DAY, unit=district["district"], actor=bob)
    group = lecture_group_create(name="宣讲团", unit=district["district"], actor=bob)
    speaker = speaker_add(group=group, name="刘洋", actor=bob)
    lectures_record_bulk(
        lectures=[
            {
                "speaker": speaker,
                "title": "讲",
                "held_on": DAY,
                "unit": district["community"],
                "attendance": n,
            }
            for n in (30, 45)
        ],
        actor=bob,
    )
    with django_assert_num_queries(1):
        values = organisation_values()
    assert set(values) == set(FIGURES)
    assert values["meetings"] == 2  # the organisational-life meeting is not counted here
    assert (values["lecture_groups"], values["lecture_speakers"]) == (1, 1)
    assert (values["lectures"], values["lecture_attendance"]) == (2, 75)
    assert values["liaison_households"] == 0
    printed = {f.key: f.value for f in campaign_figures()}
    assert {k: printed[k] for k in FIGURES} == values
