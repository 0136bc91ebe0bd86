"""What the public sees. Every read of the public pages is here, as functions that
return QuerySets (or small lists built from one), so the number of queries a
page makes does not depend on how many rows it shows.

Nothing here returns a submitter's name, phone, e-mail or the text of an
appeal: the public pages cannot show what they are never given."""

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone

from shishi.categories.models import Category
from shishi.intake.models import Appeal, AppealPhoto, AppealStatus
from shishi.ledger.models import (
    FollowUp,
    ItemStatus,
    LedgerItem,
    ProgressActual,
    ProgressReport,
    Satisfaction,
    appellant_has_rated,
)
from shishi.org.models import Unit, UnitKind

# ---------------------------------------------------------------- the ledger


def _filtered(
    *,
    q: str = "",
    category: Category | None = None,
    lead_unit: Unit | None = None,
    status: str = "",
    kind: str = "",
    overdue: bool = False,
    now: dt.datetime | None = None,
) -> QuerySet[LedgerItem]:
    items = LedgerItem.objects.public()
    if q:
        items = items.filter(Q(title__icontains=q) | Q(number__icontains=q))
    if category is not None:
        items = items.filter(category=category)
    if lead_unit is not None:
        items = items.filter(lead_unit=lead_unit)
    if status:
        items = items.filter(status=status)
    if kind:
        items = items.filter(kind=kind)
    if overdue:
        items = items.overdue(now)
    return items


def public_items(**filters) -> QuerySet[LedgerItem]:
    """The public ledger, filtered: every non-draft item with what a row shows
    (category, owner, lead unit, latest percent, targets) in two queries."""
    return (
        _filtered(**filters)
        .select_related("category", "owner", "lead_unit")
        .prefetch_related("targets")
        .with_latest_percent()
        .order_by("number")
    )


def public_items_summary(*, now: dt.datetime | None = None, **filters) -> dict[str, int]:
    """How many items the filters select, how many are settled, how many overdue."""
    now = now or timezone.now()
    items = _filtered(now=now, **filters)
    overdue = LedgerItem.objects.overdue(now).values("pk")
    return items.aggregate(
        total=Count("pk"),
        settled=Count("pk", filter=Q(status=ItemStatus.SETTLED)),
        overdue=Count("pk", filter=Q(pk__in=overdue)),
    )


def public_categories() -> QuerySet[Category]:
    """Categories that at least one public item uses (for the filter)."""
    used = LedgerItem.objects.public().filter(category=OuterRef("pk"))
    return Category.objects.filter(Exists(used))


def public_lead_units() -> QuerySet[Unit]:
    """Units that lead at least one public item (for the filter)."""
    led = LedgerItem.objects.public().filter(lead_unit=OuterRef("pk"))
    return Unit.objects.filter(Exists(led)).order_by("name")


# ------------------------------------------------------------ one item's page


def public_item_queryset() -> QuerySet[LedgerItem]:
    """The item page's item: get it with `number=`; drafts are not in it."""
    return (
        LedgerItem.objects.public()
        .select_related("category", "owner", "lead_unit", "verifier")
        .prefetch_related("targets", "cooperating_units")
        .with_latest_percent()
    )


def item_reports(item: LedgerItem) -> QuerySet[ProgressReport]:
    """The current version of each weekly report, newest week first, with the
    target actuals it stated."""
    return (
        item.progress_reports.filter(is_current=True)
        .prefetch_related(
            Prefetch(
                "actuals",
                queryset=ProgressActual.objects.select_related("target").order_by(
                    "target__sort_order", "target_id"
                ),
            )
        )
        .order_by("-week_start")
    )


@dataclass
class TimelineEntry:
    """One line of an item's public timeline. `event` says which sentence the
    template writes: created, opened, claimed, status, settled, deadline,
    edited, report."""

    when: dt.datetime
    event: str
    actor: Any = None
    status: str = ""
    previous_status: str = ""
    transition: str = ""  # the lifecycle's name for it: claim, suspend, submit…
    reason: str = ""
    owner: Any = None
    unit: Any = None
    old_deadline: dt.datetime | None = None
    new_deadline: dt.datetime | None = None
    report: ProgressReport | None = None
    order: int = field(default=0, repr=False)


# The fields whose changes the timeline tells; the rest (timestamps copied along
# with a transition, the m2m of cooperating units) would only repeat them.
_TIMELINE_FIELDS = ["status", "owner", "lead_unit", "deadline", "title", "description", "category"]


def _transition_and_reason(record) -> tuple[str, str]:
    """The transition's name and the reason given with it. The history keeps
    `name: reason` cut to 100 characters; the item's status note at that moment
    has the reason whole."""
    name, _sep, short = (record.history_change_reason or "").partition(": ")
    if not short:
        return name, ""
    note = record.status_note or ""
    return name, note if note.startswith(short) else short


def _status_entry(record, previous) -> TimelineEntry:
    transition, reason = _transition_and_reason(record)
    common = {
        "when": record.history_date,
        "actor": record.history_user,
        "status": record.get_status_display(),
        "previous_status": previous.get_status_display(),
        "transition": transition,
        "reason": reason,
    }
    if record.status == ItemStatus.CLAIMED and previous.status == ItemStatus.OPEN:
        return TimelineEntry(event="claimed", owner=record.owner, unit=record.lead_unit, **common)
    if record.status == ItemStatus.SETTLED:
        return TimelineEntry(event="settled", **common)
    if record.status == ItemStatus.OPEN and previous.status == ItemStatus.DRAFT:
        return TimelineEntry(event="opened", **common)
    return TimelineEntry(event="status", **common)


def item_timeline(item: LedgerItem, reports: list[ProgressReport]) -> list[TimelineEntry]:
    """The item's public story, oldest first: its recorded changes (from
    django-simple-history, one query) merged with its weekly reports."""
    records = list(
        item.history.select_related("history_user", "owner", "lead_unit").order_by(
            "history_date", "history_id"
        )
    )
    entries: list[TimelineEntry] = []
    previous = None
    for record in records:
        if previous is None:
            entries.append(
                TimelineEntry(when=record.history_date, event="created", actor=record.history_user)
            )
            previous = record
            continue
        delta = record.diff_against(previous, included_fields=_TIMELINE_FIELDS)
        changed = {change.field for change in delta.changes}
        if "status" in changed:
            entries.append(_status_entry(record, previous))
        if "deadline" in changed:
            entries.append(
                TimelineEntry(
                    when=record.history_date,
                    event="deadline",
                    actor=record.history_user,
                    old_deadline=previous.deadline,
                    new_deadline=record.deadline,
                )
            )
        if changed & {"title", "description", "category"}:
            entries.append(
                TimelineEntry(when=record.history_date, event="edited", actor=record.history_user)
            )
        previous = record
    for report in reports:
        entries.append(TimelineEntry(when=report.reported_at, event="report", report=report))
    for order, entry in enumerate(entries):
        entry.order = order
    return sorted(entries, key=lambda e: (e.when, e.order))


@dataclass
class FollowUpSummary:
    total: int
    counts: list[tuple[str, int]]  # (label, count) in the order of Satisfaction
    satisfied_percent: int | None  # satisfied or basically satisfied, of all


def item_followup_summary(item: LedgerItem) -> FollowUpSummary:
    """Counts of follow-up results: no notes, no names."""
    rows = FollowUp.objects.filter(item=item).values("result").annotate(n=Count("pk")).order_by()
    counts = Counter({row["result"]: row["n"] for row in rows})
    total = sum(counts.values())
    satisfied = counts[Satisfaction.SATISFIED] + counts[Satisfaction.BASICALLY_SATISFIED]
    return FollowUpSummary(
        total=total,
        counts=[(s.label, counts[s.value]) for s in Satisfaction if counts[s.value]],
        satisfied_percent=round(100 * satisfied / total) if total else None,
    )


def item_appeal_count(item: LedgerItem) -> int:
    return Appeal.objects.filter(item=item).count()


# ------------------------------------------------------------ appeal tracking


def appeal_for_tracking(number: str) -> Appeal | None:
    """The appeal with this (already normalised) tracking number, loaded with
    only the fields the tracking page shows: never the submitter's contact data
    nor the text (someone who guesses a number must not read a neighbour's
    complaint)."""
    return (
        Appeal.objects.filter(tracking_number=number)
        .select_related("category")
        .only(
            "pk",
            "tracking_number",
            "title",
            "channel",
            "received_at",
            "status",
            "status_note",
            "closed_at",
            "item_id",
            "category__name",
        )
        .first()
    )


def tracking_item(appeal: Appeal) -> LedgerItem | None:
    """The public item an appeal was accepted into, with its latest percent
    (None while the item is still a draft, or if there is none)."""
    if appeal.item_id is None:
        return None
    return (
        LedgerItem.objects.public()
        .select_related("lead_unit")
        .with_latest_percent()
        .filter(pk=appeal.item_id)
        .first()
    )


@dataclass
class AppealStep:
    when: dt.datetime
    status: str
    label: str


def appeal_steps(appeal: Appeal) -> list[AppealStep]:
    """When the appeal reached each status, oldest first. Who did it is not
    shown: the first record's actor may be the resident."""
    labels = dict(AppealStatus.choices)
    steps: list[AppealStep] = []
    records = appeal.history.order_by("history_date", "history_id")
    for status, when in records.values_list("status", "history_date"):
        if not steps or steps[-1].status != status:
            steps.append(
                AppealStep(when=when, status=status, label=str(labels.get(status, status)))
            )
    return steps


# ------------------------------------------------------- filing and rating


def filing_category_choices() -> list[tuple[int, str]]:
    """The active categories a resident may file under, in tree order, each
    labelled with its path ("教育优先 / 学位"). Two small queries however deep
    the tree: the names are joined here, not by one query per level."""
    nodes = {
        pk: (name, parent_id, sort_order, is_active)
        for pk, name, parent_id, sort_order, is_active in Category.objects.values_list(
            "pk", "name", "parent_id", "sort_order", "is_active"
        )
    }

    def ancestry(pk: int) -> list[int] | None:
        # Root first; None when the category or one above it is retired.
        chain: list[int] = []
        while pk is not None and pk not in chain:
            name, parent_id, _order, is_active = nodes[pk]
            if not is_active:
                return None
            chain.append(pk)
            pk = parent_id
        return chain[::-1]

    rows = []
    for pk in nodes:
        chain = ancestry(pk)
        if chain is None:
            continue
        sort_key = [(nodes[node][2], nodes[node][0]) for node in chain]
        rows.append((sort_key, pk, " / ".join(nodes[node][0] for node in chain)))
    rows.sort()
    return [(pk, label) for _key, pk, label in rows]


def filing_communities() -> QuerySet[Unit]:
    """The communities and villages an appeal may be located in, with their street."""
    return (
        Unit.objects.active()
        .filter(kind__in=[UnitKind.COMMUNITY, UnitKind.VILLAGE])
        .select_related("parent")
        .order_by("parent__name", "name")
    )


def submitters_view(number: str, user) -> Appeal | None:
    """The appeal with this tracking number as its submitter sees it (the text
    and the photos), or None unless `user` is the submitter's own account."""
    if not user.is_authenticated:
        return None
    return (
        Appeal.objects.filter(tracking_number=number, submitter=user)
        .only("pk", "body")
        .prefetch_related("photos")
        .first()
    )


def rating_state(appeal: Appeal, item: LedgerItem | None, *, may_rate: bool) -> str:
    """Whether the result can be rated (回访) now: "open" when the item that
    answers the appeal is settled, not yet rated since, and this visitor speaks
    for the appellant (`may_rate`: the key from their notice or their account);
    "locked" when only that is missing; "rated" once rated; "" while there is
    nothing to rate."""
    if item is None:
        # Answered by a work order (shishi.workorders): its follow-up.
        from shishi.workorders.selectors import appellant_rating_state

        return appellant_rating_state(appeal, may_rate=may_rate)
    if item is None or item.status != ItemStatus.SETTLED or item.settled_at is None:
        return ""
    if appellant_has_rated(appeal, item):
        return "rated"
    return "open" if may_rate else "locked"


def appeal_photo_for_user(user, pk: int) -> AppealPhoto | None:
    """An appeal's photo, if `user` may see it: staff who handle appeals, or the
    account that filed the appeal. Anyone else gets None (the view says 404)."""
    if not user.is_authenticated or not user.is_active:
        return None
    photos = AppealPhoto.objects.filter(pk=pk)
    if not user.has_perm("intake.view_appeal"):
        photos = photos.filter(appeal__submitter=user)
    return photos.first()
