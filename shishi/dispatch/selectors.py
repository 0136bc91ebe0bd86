"""What the people who carry the ledger read: their items, the items waiting
for a leader, the items waiting for a verifier, the overdue ones, and one item
whole. Functions return QuerySets (or small lists built from one), so a page's
query count does not grow with its rows."""

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import (
    Case,
    Count,
    Exists,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shishi.categories.models import Category
from shishi.intake.models import Appeal
from shishi.ledger.models import (
    ACTIVE_STATUSES,
    Evidence,
    FollowUp,
    ItemStatus,
    LedgerItem,
    ProgressActual,
    ProgressReport,
)
from shishi.org.services import user_unit_ids

# ------------------------------------------------------------------ my items


def _reported(monday: dt.date) -> Exists:
    return Exists(
        ProgressReport.objects.filter(item=OuterRef("pk"), week_start=monday, is_current=True)
    )


def my_items(
    user,
    *,
    monday: dt.date,
    status: str = "",
    overdue: bool = False,
    missing: bool = False,
    now: dt.datetime | None = None,
) -> QuerySet[LedgerItem]:
    """The items a person carries: a leader's are the ones they own (their
    membership of the district is organisational, it does not make every
    district-led item theirs); a unit handler's are their units' items and any
    they own. Active items still missing the report for the week of `monday`
    come first, then the other active ones, then the rest, each by deadline."""
    if user.has_perm("ledger.claim_ledgeritem"):
        mine = Q(owner=user)
    else:
        mine = Q(owner=user) | Q(lead_unit_id__in=user_unit_ids(user))
    items = LedgerItem.objects.filter(mine)
    if status:
        items = items.filter(status=status)
    if overdue:
        items = items.overdue(now)
    if missing:
        items = items.missing_report(monday)
    return (
        items.select_related("category", "owner", "lead_unit")
        .with_latest_percent()
        .annotate(reported_this_week=_reported(monday))
        .annotate(
            # 0: active and this week's report is missing; 1: active; 2: the rest.
            urgency=Case(
                When(status__in=ACTIVE_STATUSES, reported_this_week=False, then=Value(0)),
                When(status__in=ACTIVE_STATUSES, then=Value(1)),
                default=Value(2),
                output_field=IntegerField(),
            ),
        )
        .order_by("urgency", "deadline", "number")
    )


# ------------------------------------------------------------ items to claim


def _claimable() -> QuerySet[LedgerItem]:
    return LedgerItem.objects.filter(status=ItemStatus.OPEN, owner__isnull=True)


def claimable_items(
    *, category: Category | None = None, kind: str = "", q: str = ""
) -> QuerySet[LedgerItem]:
    """Open items nobody has claimed yet, nearest deadline first, with their
    targets and how many appeals each answers."""
    items = _claimable()
    if category is not None:
        items = items.filter(category=category)
    if kind:
        items = items.filter(kind=kind)
    if q:
        items = items.filter(Q(title__icontains=q) | Q(number__icontains=q))
    appeals = (
        Appeal.objects.filter(item=OuterRef("pk"))
        .order_by()
        .values("item")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return (
        items.select_related("category", "lead_unit")
        .prefetch_related("targets")
        .annotate(appeal_count=Subquery(appeals, output_field=IntegerField()))
        .order_by("deadline", "number")
    )


def claimable_categories() -> QuerySet[Category]:
    """Categories that at least one claimable item uses (for the filter)."""
    return Category.objects.filter(Exists(_claimable().filter(category=OuterRef("pk"))))


# ------------------------------------------------------------- verification


def _latest_report() -> QuerySet[ProgressReport]:
    return ProgressReport.objects.filter(item=OuterRef("pk"), is_current=True).order_by(
        "-week_start"
    )


def awaiting_verification() -> QuerySet[LedgerItem]:
    """Items submitted for verification, the longest waiting first, with their
    targets, their latest report's percent and narrative, how many evidence
    files they hold, and when they were submitted (from the item's history)."""
    submitted = (
        LedgerItem.history.filter(
            id=OuterRef("pk"),
            status=ItemStatus.AWAITING_VERIFICATION,
            history_change_reason__startswith="submit",
        )
        .order_by("-history_date")
        .values("history_date")[:1]
    )
    evidence = (
        Evidence.objects.filter(item=OuterRef("pk"))
        .order_by()
        .values("item")
        .annotate(n=Count("pk"))
        .values("n")
    )
    latest = _latest_report()
    return (
        LedgerItem.objects.filter(status=ItemStatus.AWAITING_VERIFICATION)
        .select_related("category", "owner", "lead_unit")
        .prefetch_related("targets")
        .annotate(
            submitted_at=Subquery(submitted),
            latest_percent=Subquery(latest.values("percent")[:1]),
            latest_narrative=Subquery(latest.values("narrative")[:1]),
            evidence_count=Subquery(evidence, output_field=IntegerField()),
        )
        .order_by("submitted_at", "number")
    )


# ------------------------------------------------------------------ overdue


def overdue_items(now: dt.datetime | None = None) -> QuerySet[LedgerItem]:
    """Overdue items, the most overdue first, with their latest percent and
    the week of their latest report."""
    return (
        LedgerItem.objects.overdue(now)
        .select_related("owner", "lead_unit")
        .with_latest_percent()
        .annotate(last_report_week=Subquery(_latest_report().values("week_start")[:1]))
        .order_by("deadline", "number")
    )


def days_overdue(item: LedgerItem, today: dt.date) -> int:
    """Whole days since the deadline's day (0 on the day it passed)."""
    return (today - timezone.localtime(item.deadline).date()).days


# ---------------------------------------------------------------- one item


def staff_item_queryset() -> QuerySet[LedgerItem]:
    """The staff item page's item, drafts included: get it with `number=`."""
    return (
        LedgerItem.objects.select_related(
            "category__parent__parent", "owner", "lead_unit", "verifier", "created_by", "claimed_by"
        )
        .prefetch_related("targets", "cooperating_units")
        .with_latest_percent()
    )


def item_appeals(item: LedgerItem) -> QuerySet[Appeal]:
    """The appeals merged into the item, oldest first (tracking number and title)."""
    return (
        Appeal.objects.filter(item=item)
        .only("pk", "tracking_number", "title", "status", "received_at", "item_id")
        .order_by("received_at", "pk")
    )


def item_reports(item: LedgerItem) -> QuerySet[ProgressReport]:
    """Every version of every weekly report, newest week first and the current
    version before the ones it superseded, with actuals and evidence files."""
    return (
        item.progress_reports.select_related("reported_by")
        .prefetch_related(
            Prefetch(
                "actuals",
                queryset=ProgressActual.objects.select_related("target").order_by(
                    "target__sort_order", "target_id"
                ),
            ),
            Prefetch("evidence", queryset=Evidence.objects.order_by("uploaded_at", "pk")),
        )
        .order_by("-week_start", "-version")
    )


def settlement_evidence(item: LedgerItem) -> QuerySet[Evidence]:
    return item.evidence.filter(report__isnull=True).order_by("uploaded_at", "pk")


def item_followups(item: LedgerItem) -> QuerySet[FollowUp]:
    return (
        FollowUp.objects.filter(item=item)
        .select_related("recorded_by", "appeal")
        .order_by("-recorded_at", "-pk")
    )


def report_for_week(item: LedgerItem, monday: dt.date) -> ProgressReport | None:
    """The current version of the item's report for the week of `monday`."""
    return item.progress_reports.filter(week_start=monday, is_current=True).first()


def report_before(item: LedgerItem, monday: dt.date) -> ProgressReport | None:
    """The latest report of a week before `monday` (last week's, usually), for reference."""
    return (
        item.progress_reports.filter(week_start__lt=monday, is_current=True)
        .prefetch_related(
            Prefetch("actuals", queryset=ProgressActual.objects.select_related("target"))
        )
        .order_by("-week_start")
        .first()
    )


@dataclass
class HistoryEntry:
    """One recorded change of an item: when, who, what it did, and why."""

    when: dt.datetime
    actor: Any
    status: str
    action: str
    reason: str


# What each recorded change reason (a lifecycle transition's name, or one of
# the services' own words) says happened.
_EVENT_LABELS = {
    "created": _("created"),
    "open": _("opened"),
    "claim": _("claimed"),
    "start": _("work started"),
    "submit": _("submitted for verification"),
    "send_back": _("sent back"),
    "settle": _("settled"),
    "reopen": _("reopened"),
    "suspend": _("suspended"),
    "resume": _("resumed"),
    "cancel": _("cancelled"),
    "edited in admin": _("edited in the admin"),
}


def item_history(item: LedgerItem) -> QuerySet:
    """The item's recorded changes (django-simple-history), newest first."""
    return item.history.select_related("history_user").order_by("-history_date", "-history_id")


def history_entry(record) -> HistoryEntry:
    """What a history record says: what happened and the reason given with it. The history keeps `name: reason` cut
    to 100 characters; the status note at that moment holds the reason whole."""
    name, _sep, short = (record.history_change_reason or "").partition(": ")
    reason = ""
    if short:
        note = record.status_note or ""
        reason = note if note.startswith(short) else short
    return HistoryEntry(
        when=record.history_date,
        actor=record.history_user,
        status=record.get_status_display(),
        action=str(_EVENT_LABELS.get(name, name)),
        reason=reason,
    )
