"""What the intake clerk reads: the queue, one appeal with its story, the items
an appeal may be merged into. Functions return QuerySets (or small lists built
from one query), so a page's query count does not grow with its rows."""

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import Q, QuerySet
from django.utils import timezone

from shishi.categories.models import Category
from shishi.intake.models import Appeal, AppealStatus
from shishi.intake.services import tracking_number_normalise
from shishi.ledger.models import LedgerItem
from shishi.org.models import Unit, UnitKind

# What is still to do: appeals nobody has settled the fate of.
TODO_STATUSES = [AppealStatus.RECEIVED, AppealStatus.TRIAGED]
# A whole tracking number (YYMMDD-XXXXXX) names one appeal.
TRACKING_NUMBER = re.compile(r"^\d{6}-[0-9A-Z]{6}$")
# One character matches a large share of all Chinese text; searching the long
# body for it would scan every appeal to say little. Titles and numbers suffice.
BODY_SEARCH_MIN_CHARS = 2
# A text search pages through this many matches at most (40 pages of 50).
SEARCH_MAX_RESULTS = 2000
# The merge search lists this many items at most.
ITEM_MATCHES_MAX = 20

# The queue rows never show these; leaving them out keeps each row small.
_QUEUE_DEFERRED = (
    "body",
    "status_note",
    "submitter_name",
    "submitter_phone",
    "submitter_email",
)


def _day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def appeal_queue(
    *,
    status: str = "",
    channel: str = "",
    category: Category | None = None,
    community: Unit | None = None,
    received_from: dt.date | None = None,
    received_to: dt.date | None = None,
    q: str = "",
) -> QuerySet[Appeal]:
    """The intake queue: by default what is still to do, oldest first (first
    in, first out); any other status, or all, newest first. Page it with
    `queue_page`.

    `q` searches the title, the body and the tracking number. A whole tracking
    number finds that appeal whatever its status: the clerk who types one is
    looking for exactly it."""
    appeals = Appeal.objects.all()
    number = tracking_number_normalise(q)
    exact_number = bool(TRACKING_NUMBER.match(number))
    if exact_number:
        appeals = appeals.filter(tracking_number=number)
    elif q:
        match = Q(title__icontains=q)
        if number.isascii():
            match |= Q(tracking_number__contains=number)
        if len(q) >= BODY_SEARCH_MIN_CHARS:
            match |= Q(body__icontains=q)
        appeals = appeals.filter(match)
    todo = not status
    if todo and not exact_number:
        appeals = appeals.filter(status__in=TODO_STATUSES)
    elif status and status != "all":
        appeals = appeals.filter(status=status)
    if channel:
        appeals = appeals.filter(channel=channel)
    if category is not None:
        appeals = appeals.filter(category=category)
    if community is not None:
        appeals = appeals.filter(community=community)
    if received_from is not None:
        appeals = appeals.filter(received_at__gte=_day_start(received_from))
    if received_to is not None:
        appeals = appeals.filter(received_at__lt=_day_start(received_to + dt.timedelta(days=1)))
    if todo:
        return appeals.order_by("received_at", "pk")
    return appeals.order_by("-received_at", "-pk")


def _queue_rows() -> QuerySet[Appeal]:
    return Appeal.objects.select_related("category", "community").defer(*_QUEUE_DEFERRED)


def queue_page(
    appeals: QuerySet[Appeal], number, *, per_page: int, searching: bool
) -> tuple[Page, bool]:
    """One page of the queue in three queries whatever its size: the matching
    ids are paged, then that page's rows are read with their category and
    community. Returns the page and whether a search found more than
    SEARCH_MAX_RESULTS (only that many are paged).

    Why ids first: on 100,000 appeals SQLite reads the to-do rows through the
    status index and sorts them all (about 100 ms), while the ids come ordered
    from an index alone (about 1 ms). A text search reads the candidate rows
    whatever is done, so its ids are fetched once, which gives both the count
    and the page (a COUNT and a page query would each scan the table); the cap
    lets a common word stop the scan early and bounds what is held."""
    ids = appeals.values_list("pk", flat=True)
    truncated = False
    if searching:
        found = list(ids[: SEARCH_MAX_RESULTS + 1])
        truncated = len(found) > SEARCH_MAX_RESULTS
        ids = found[:SEARCH_MAX_RESULTS]
    page = Paginator(ids, per_page).get_page(number)
    wanted = list(page.object_list)
    rows = {appeal.pk: appeal for appeal in _queue_rows().filter(pk__in=wanted)}
    page.object_list = [rows[pk] for pk in wanted if pk in rows]
    return page, truncated


def triage_categories() -> QuerySet[Category]:
    """Categories a clerk may give an appeal (those in use), with their parents
    for the path shown in a choice."""
    return (
        Category.objects.active()
        .select_related("parent__parent")
        .order_by("parent__parent__sort_order", "parent__sort_order", "sort_order", "name")
    )


def communities() -> QuerySet[Unit]:
    """The units an appeal's location may name: communities and villages."""
    return Unit.objects.filter(kind__in=[UnitKind.COMMUNITY, UnitKind.VILLAGE]).order_by("name")


# ---------------------------------------------------------------- one appeal


def appeal_for_clerk(tracking_number: str) -> Appeal | None:
    """The appeal with this (normalised) tracking number, with what its page shows."""
    return (
        Appeal.objects.filter(tracking_number=tracking_number)
        .select_related(
            "category__parent", "community", "event", "item", "submitter", "item__lead_unit"
        )
        .prefetch_related("photos")
        .first()
    )


@dataclass
class HistoryEntry:
    """One recorded change of an appeal: who, when, and what changed."""

    when: dt.datetime
    actor: Any
    status: str  # the status's label after the change
    status_changed: bool
    created: bool = False
    category: Any = None  # set when the category changed
    item: Any = None  # set when it was merged into (or released from) an item
    item_changed: bool = False
    note: str = ""  # the answer or the reason, when it changed


def appeal_history(appeal: Appeal) -> list[HistoryEntry]:
    """The appeal's recorded changes, oldest first, from django-simple-history
    in one query."""
    labels = dict(AppealStatus.choices)
    records = list(
        appeal.history.select_related("history_user", "category", "item").order_by(
            "history_date", "history_id"
        )
    )
    entries: list[HistoryEntry] = []
    previous = None
    for record in records:
        entry = HistoryEntry(
            when=record.history_date,
            actor=record.history_user,
            status=str(labels.get(record.status, record.status)),
            status_changed=previous is None or record.status != previous.status,
            created=previous is None,
        )
        if previous is not None:
            if record.category_id != previous.category_id:
                entry.category = record.category
            if record.item_id != previous.item_id:
                entry.item, entry.item_changed = record.item, True
                # A clerk's release (intake.appeal_release) keeps its reason here.
                released, _sep, why = (record.history_change_reason or "").partition(": ")
                if record.item_id is None and released.startswith("released from "):
                    entry.note = why
            if record.status_note != previous.status_note:
                entry.note = record.status_note
        elif record.category_id:
            entry.category = record.category
        entries.append(entry)
        previous = record
    return entries


# ------------------------------------------------------------ merge targets


def mergeable_items() -> QuerySet[LedgerItem]:
    """Items that still take appeals: any not settled or cancelled, drafts included."""
    return LedgerItem.objects.taking_appeals()


def item_by_number(number: str) -> LedgerItem | None:
    number = (number or "").strip().upper()
    if not number:
        return None
    return mergeable_items().filter(number=number).first()


def items_matching(text: str) -> list[LedgerItem]:
    """Items that take appeals whose number or title holds `text`, at most
    ITEM_MATCHES_MAX, newest first."""
    text = (text or "").strip()
    if not text:
        return []
    return list(
        mergeable_items()
        .filter(Q(number__icontains=text) | Q(title__icontains=text))
        .select_related("category")
        .order_by("-created_at", "-pk")[:ITEM_MATCHES_MAX]
    )


# ------------------------------------------------------- a new item's appeals


def appeals_by_ids(ids: list[int]) -> list[Appeal]:
    """The appeals with these ids, in the order given (unknown ids are left out)."""
    found = {
        a.pk: a
        for a in Appeal.objects.filter(pk__in=ids)
        .select_related("category")
        .defer(*_QUEUE_DEFERRED)
    }
    return [found[pk] for pk in ids if pk in found]
