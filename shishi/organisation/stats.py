"""The figures of the campaign's organisation and activities, one function
each, counted from rows; shishi.core.stats lists them with the others."""

from django.db.models import Sum

from shishi.activities.models import (
    COUNTED_MEETING_KINDS,
    COUNTED_STUDY_KINDS,
    Lecture,
    LectureGroup,
    Meeting,
    Speaker,
    StudyRecord,
)
from shishi.inspection.models import InspectionGroup, InspectionRound, Visit
from shishi.ledger.models import ItemKind, ItemStatus, LedgerItem
from shishi.liaison.models import Household, LiaisonMember
from shishi.selection.models import Nomination

from .models import ContactUnit

# key: (label, unit), in the order `shishi stats` prints them.
FIGURES: dict[str, tuple[str, str]] = {
    "inspection_groups": ("巡回指导组", "个"),
    "inspection_rounds": ("巡回指导轮次", "轮"),
    "inspection_visits": ("巡回指导走访", "次"),
    "inspection_units_covered": ("巡回指导覆盖单位", "个"),
    "rectification_items": ("立行立改事项", "件"),
    "meetings": ("推进会、座谈会", "场"),
    "study_sessions": ("中心组学习、专题学习", "次"),
    "lecture_groups": ("宣讲团", "个"),
    "lecture_speakers": ("宣讲团成员", "名"),
    "lectures": ("宣讲", "场"),
    "lecture_attendance": ("宣讲受众", "人次"),
    "liaison_members": ("联户党员", "名"),
    "liaison_households": ("联系群众", "户"),
    "leader_contact_units": ("分包联系单位的区级领导", "名"),
    "selection_nominations": ("评选推荐", "人"),
    "selection_selected": ("评选选出", "人"),
}


def rectification_items():
    """立行立改 / 即知即改 items on the public ledger, cancelled ones left out."""
    return (
        LedgerItem.objects.public()
        .filter(kind=ItemKind.RECTIFICATION)
        .exclude(status=ItemStatus.CANCELLED)
    )


def inspection_units_covered() -> int:
    """Participating units visited at least once, in any round."""
    return Visit.objects.values("plan__unit").distinct().count()


def lecture_attendance() -> int:
    return Lecture.objects.aggregate(n=Sum("attendance"))["n"] or 0


def leader_contact_units() -> int:
    """Leaders with at least one contact unit (联系单位安排表)."""
    return ContactUnit.objects.values("leader").distinct().count()


def organisation_values() -> dict[str, int]:
    return {
        "inspection_groups": InspectionGroup.objects.count(),
        "inspection_rounds": InspectionRound.objects.count(),
        "inspection_visits": Visit.objects.count(),
        "inspection_units_covered": inspection_units_covered(),
        "rectification_items": rectification_items().count(),
        "meetings": Meeting.objects.filter(kind__in=COUNTED_MEETING_KINDS).count(),
        "study_sessions": StudyRecord.objects.filter(kind__in=COUNTED_STUDY_KINDS).count(),
        "lecture_groups": LectureGroup.objects.count(),
        "lecture_speakers": Speaker.objects.count(),
        "lectures": Lecture.objects.count(),
        "lecture_attendance": lecture_attendance(),
        "liaison_members": LiaisonMember.objects.count(),
        "liaison_households": Household.objects.count(),
        "leader_contact_units": leader_contact_units(),
        "selection_nominations": Nomination.objects.count(),
        "selection_selected": Nomination.objects.filter(
            selected=True, call__published_at__isnull=False
        ).count(),
    }
