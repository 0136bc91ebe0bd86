import datetime as dt

from shishi.activities.models import MeetingKind
from shishi.activities.services import meeting_record
from shishi.organisation.selectors import week_activities

MONDAY = dt.date(2021, 5, 3)


def test_the_weeks_activities_are_counted_from_rows_dated_in_the_week(bob, district):
    for day, title in [(MONDAY, "推进会"), (MONDAY + dt.timedelta(days=6), "座谈会")]:
        meeting_record(
            kind=MeetingKind.PROMOTION,
            title=title,
            held_on=day,
            unit=district["district"],
            actor=bob,
        )
    meeting_record(
        kind=MeetingKind.FORUM,
        title="下周",
        held_on=MONDAY + dt.timedelta(days=7),
        unit=district["district"],
        actor=bob,
    )
    counts = week_activities(MONDAY)
    assert counts["meetings"] == 2
    assert counts["lectures"] == 0
    assert set(counts) == {
        "inspection_visits",
        "meetings",
        "study_records",
        "lectures",
        "leader_visits",
        "liaison_visits",
    }
