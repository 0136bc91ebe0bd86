"""The campaign's headline figures, each computed from the database."""

from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Sum
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


@dataclass(frozen=True)
class Figure:
    key: str
    label: str
    value: int
    unit: str


def _event_total(channel: str) -> int:
    return CollectionEvent.objects.filter(channel=channel).aggregate(n=Sum("count"))["n"] or 0


def campaign_figures() -> list[Figure]:
    projects = (
        LedgerItem.objects.public()
        .filter(kind=ItemKind.PROJECT)
        .exclude(status=ItemStatus.CANCELLED)
    )
    now = timezone.now()
    return [
        Figure("participating_units", "参与单位", Unit.objects.participating().count(), "个"),
        Figure(
            "leaders",
            "领办领导",
            User.objects.filter(is_active=True, groups__name=ROLE_GROUPS[LEADER])
            .distinct()
            .count(),
            "名",
        ),
        Figure(
            "forums",
            "征集意见座谈会",
            CollectionEvent.objects.filter(channel=Channel.FORUM).count(),
            "场",
        ),
        Figure("questionnaires_issued", "发放调查问卷", _event_total(Channel.QUESTIONNAIRE), "份"),
        Figure("household_visits", "入户走访", _event_total(Channel.VISIT), "人次"),
        Figure("appeals", "征集诉求", Appeal.objects.count(), "条"),
        Figure(
            "project_categories",
            "民生实事类别",
            Category.objects.filter(Exists(projects.filter(category=OuterRef("pk")))).count(),
            "类",
        ),
        Figure("projects", "民生实事", projects.count(), "件"),
        Figure(
            "projects_settled", "已清账", projects.filter(status=ItemStatus.SETTLED).count(), "件"
        ),
        Figure(
            "projects_ongoing",
            "推进中",
            projects.exclude(status=ItemStatus.SETTLED).count(),
            "件",
        ),
        Figure("projects_overdue", "已逾期", projects.overdue(now).count(), "件"),
        Figure(
            "items_missing_report",
            "本周未报进展",
            LedgerItem.objects.missing_report(week_start(timezone.localdate())).count(),
            "件",
        ),
        Figure(
            "items_active",
            "在办事项（全部类型）",
            LedgerItem.objects.filter(status__in=ACTIVE_STATUSES).count(),
            "件",
        ),
    ]
