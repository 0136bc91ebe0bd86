"""The campaign's headline figures, each computed from the database."""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Exists, OuterRef
from django.utils import timezone

from shishi.categories.models import Category
from shishi.intake.models import Appeal, Channel, CollectionEvent
from shishi.ledger.models import (
    ACTIVE_STATUSES,
    ItemKind,
    ItemStatus,
    LedgerItem,
    week_start,
)
from shishi.org.models import Unit, User
from shishi.org.roles import LEADER, ROLE_GROUPS
from shishi.organisation.stats import FIGURES as ORGANISATION_FIGURES
from shishi.organisation.stats import organisation_values
from shishi.programmes import figures as programme_figures


@dataclass(frozen=True)
class Figure:
    key: str
    label: str
    value: int | float | None  # a share (0–1) is a float; None when there is nothing to count
    unit: str


def campaign_projects():
    """The campaign's projects (民生实事): public, not cancelled. Every figure
    about projects, here and in the reports, counts these."""
    return (
        LedgerItem.objects.public()
        .filter(kind=ItemKind.PROJECT)
        .exclude(status=ItemStatus.CANCELLED)
    )


# Every figure: key, label and unit, in the order `shishi stats` prints them.
# The keys are also the placeholders of the summary's wording (shishi.reports).
FIGURES: dict[str, tuple[str, str]] = {
    "participating_units": ("参与单位", "个"),
    "leaders": ("领办领导", "名"),
    "forums": ("征集意见座谈会", "场"),
    "questionnaires_issued": ("发放调查问卷", "份"),
    "household_visits": ("入户走访", "人次"),
    "appeals": ("征集诉求", "条"),
    "project_categories": ("民生实事类别", "类"),
    "projects": ("民生实事", "件"),
    "projects_settled": ("已清账", "件"),
    "projects_ongoing": ("推进中", "件"),
    "projects_overdue": ("已逾期", "件"),
    "items_missing_report": ("本周未报进展", "件"),
    "items_active": ("在办事项（全部类型）", "件"),
    # The campaign's organisation and activities (shishi.organisation.stats).
    **ORGANISATION_FIGURES,
}
# --- programmes (shishi.programmes.figures): results counted from their records.
FIGURES.update(programme_figures.stats_figures())
# ---


def campaign_figures(now: dt.datetime | None = None) -> list[Figure]:
    projects = campaign_projects()
    now = now or timezone.now()
    leaders = User.objects.filter(is_active=True, groups__name=ROLE_GROUPS[LEADER]).distinct()
    values = {
        "participating_units": Unit.objects.participating().count(),
        "leaders": leaders.count(),
        "forums": CollectionEvent.objects.filter(channel=Channel.FORUM).count(),
        # Counted from the responses and visits recorded (shishi.programmes).
        "questionnaires_issued": programme_figures.result_value("questionnaire_responses"),
        "appeals": Appeal.objects.count(),
        "project_categories": Category.objects.filter(
            Exists(projects.filter(category=OuterRef("pk")))
        ).count(),
        "projects": projects.count(),
        "projects_settled": projects.filter(status=ItemStatus.SETTLED).count(),
        "projects_ongoing": projects.exclude(status=ItemStatus.SETTLED).count(),
        "projects_overdue": projects.overdue(now).count(),
        "items_missing_report": LedgerItem.objects.missing_report(
            week_start(timezone.localdate(now))
        ).count(),
        "items_active": LedgerItem.objects.filter(status__in=ACTIVE_STATUSES).count(),
        # --- programmes (shishi.programmes.figures)
        **programme_figures.stats_values(),
        **organisation_values(),
    }
    return [Figure(key, label, values[key], unit) for key, (label, unit) in FIGURES.items()]


# Figures that are objects rather than one number: `shishi stats --json` only.
def object_figures() -> dict[str, dict]:
    # Work orders (shishi.workorders): the count in each state, returned,
    # extended, rehandled and rated.
    from shishi.workorders.figures import work_order_counts

    return {"work_orders": work_order_counts()}


def object_figures_text() -> list[str]:
    from shishi.workorders.figures import work_order_counts_text

    return [work_order_counts_text()]
