"""The figures of the campaign's organisation and activities, one function
each, counted from rows; shishi.core.stats lists them with the others."""

from django.db.models import CharField, Count, Sum, Value

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


# Each figure: the rows it counts and how. The figures are read in one query
# (a UNION of these), so `shishi stats`, the summary and the dashboard pay for
# them once.
def _figure_definitions() -> dict[str, tuple]:
    return {
        "inspection_groups": (InspectionGroup.objects.all(), Count("pk")),
        "inspection_rounds": (InspectionRound.objects.all(), Count("pk")),
        "inspection_visits": (Visit.objects.all(), Count("pk")),
        # Participating units visited at least once, in any round.
        "inspection_units_covered": (Visit.objects.all(), Count("plan__unit", distinct=True)),
        "rectification_items": (rectification_items(), Count("pk")),
        "meetings": (Meeting.objects.filter(kind__in=COUNTED_MEETING_KINDS), Count("pk")),
        "study_sessions": (StudyRecord.objects.filter(kind__in=COUNTED_STUDY_KINDS), Count("pk")),
        "lecture_groups": (LectureGroup.objects.all(), Count("pk")),
        "lecture_speakers": (Speaker.objects.all(), Count("pk")),
        "lectures": (Lecture.objects.all(), Count("pk")),
        "lecture_attendance": (Lecture.objects.all(), Sum("attendance")),
        "liaison_members": (LiaisonMember.objects.all(), Count("pk")),
        "liaison_households": (Household.objects.all(), Count("pk")),
        # Leaders with at least one contact unit (联系单位安排表).
        "leader_contact_units": (ContactUnit.objects.all(), Count("leader", distinct=True)),
        "selection_nominations": (Nomination.objects.all(), Count("pk")),
        "selection_selected": (
            Nomination.objects.filter(selected=True, call__published_at__isnull=False),
            Count("pk"),
        ),
    }


def organisation_values() -> dict[str, int]:
    parts = [
        rows.order_by()
        .annotate(figure=Value(key, output_field=CharField()))
        .values("figure")
        .annotate(n=aggregate)
        .values_list("figure", "n")
        for key, (rows, aggregate) in _figure_definitions().items()
    ]
    found = dict(parts[0].union(*parts[1:], all=True))
    return {key: int(found.get(key) or 0) for key in FIGURES}
