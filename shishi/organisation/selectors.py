"""Reads of the campaign's organisation, and the week's activities counted for
the dashboard and the weekly bulletin."""

import datetime as dt

from django.db.models import Count, Value

from shishi.activities.models import Lecture, Meeting, StudyRecord
from shishi.inspection.models import Visit
from shishi.liaison.models import LiaisonVisit
from shishi.org.models import Unit

from .models import ContactVisit, DocumentTask


def tasks_with_documents():
    return DocumentTask.objects.select_related("document", "unit").order_by("deadline", "pk")


def week_activities(monday: dt.date) -> dict[str, int]:
    """What the campaign did in the ISO week starting `monday`, each counted
    from the rows dated in it (one query: the counts are UNIONed)."""
    week = (monday, monday + dt.timedelta(days=6))
    sources = {
        "inspection_visits": Visit.objects.filter(visited_on__range=week),
        "meetings": Meeting.objects.filter(held_on__range=week),
        "study_records": StudyRecord.objects.filter(held_on__range=week),
        "lectures": Lecture.objects.filter(held_on__range=week),
        "leader_visits": ContactVisit.objects.filter(visited_on__range=week),
        "liaison_visits": LiaisonVisit.objects.filter(visited_on__range=week),
    }
    counts = [
        qs.annotate(key=Value(key))
        .values("key")
        .annotate(n=Count("pk"))
        .values_list("key", "n")
        .order_by()
        for key, qs in sources.items()
    ]
    found = dict(counts[0].union(*counts[1:], all=True))
    return {key: found.get(key, 0) for key in sources}


WEEK_LABELS = {
    "inspection_visits": "巡回指导走访（次）",
    "meetings": "会议（场）",
    "study_records": "学习活动（次）",
    "lectures": "宣讲（场）",
    "leader_visits": "领导走访联系单位（次）",
    "liaison_visits": "联户走访（次）",
}


def week_activity_rows(monday: dt.date) -> list[tuple[str, int]]:
    """The week's activities as (label, count) rows, for the dashboard and the
    weekly bulletin."""
    return [(WEEK_LABELS[key], n) for key, n in week_activities(monday).items()]


def contact_units_of(leader):
    """The units `leader` is responsible for (联系单位), for suggesting a lead
    unit when they claim an item."""
    return Unit.objects.filter(contact_leaders__leader=leader, is_active=True).order_by("name")


def contact_unit_ids(leader) -> set[int]:
    """The ids of `leader`'s contact units: what the ledger's claim rule
    (`ledger.permissions.claim_unit_ids` on main) adds to the leader's own
    units, through the reverse accessor `leader.contact_units`."""
    return set(leader.contact_units.filter(unit__is_active=True).values_list("unit_id", flat=True))
