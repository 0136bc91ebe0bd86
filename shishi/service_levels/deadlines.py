"""The deadlines of appeals and ledger items, from the service-level policies
and the holiday calendar.

`PolicyBook` loads every policy, the category tree and the calendar once
(three small queries) and answers any number of questions from memory, so a
bulk import of 100,000s of appeals computes their deadlines with no query per
appeal:

    book = PolicyBook.load()
    for record in records:
        due = book.appeal_deadlines(received_at=record.received_at,
                                    category_id=record.category_id)
        # due.acknowledge_due, due.respond_due

`appeal_deadlines(...)` does the same for one appeal (loading a book unless
one is passed)."""

import dataclasses
import datetime as dt
import time
import uuid

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from .workingtime import WorkCalendar

MEASURES = ("acknowledge", "respond", "settle")


@dataclasses.dataclass(frozen=True)
class Limit:
    amount: int
    unit: str


@dataclasses.dataclass(frozen=True)
class Limits:
    acknowledge: Limit | None = None
    respond: Limit | None = None
    settle: Limit | None = None


@dataclasses.dataclass(frozen=True)
class AppealDeadlines:
    acknowledge_due: dt.datetime | None
    respond_due: dt.datetime | None


def work_calendar() -> WorkCalendar:
    """The official schedules (chinesecalendar) with the admin's local days
    over them, and the configured working hours."""
    from .holidays_cn import official_days
    from .models import CalendarDay

    official_off, official_working = official_days()
    days_off, working = set(official_off), set(official_working)
    for date, is_working in CalendarDay.objects.values_list("date", "is_working_day"):
        # A local day replaces what the official schedule says of that date.
        days_off.discard(date)
        working.discard(date)
        (working if is_working else days_off).add(date)
    return WorkCalendar.build(
        tz=timezone.get_default_timezone(),
        hours=settings.SHISHI_WORKING_HOURS,
        days_off=days_off,
        working_days=working,
    )


class PolicyBook:
    """The policies and the calendar as they were when loaded."""

    def __init__(self, *, policies, parents: dict[int, int | None], calendar: WorkCalendar):
        # (kind, category_id) → {measure: Limit}; kind "" and category None mean "any".
        self._policies = policies
        self._parents = parents
        self.calendar = calendar
        self._resolved: dict[tuple[int | None, str], Limits] = {}

    @classmethod
    def load(cls) -> "PolicyBook":
        from shishi.categories.models import Category

        from .models import ServiceLevelPolicy

        policies = {}
        for policy in ServiceLevelPolicy.objects.filter(is_active=True):
            limits = {}
            for measure in MEASURES:
                amount = getattr(policy, f"{measure}_within")
                if amount is not None:
                    limits[measure] = Limit(amount, getattr(policy, f"{measure}_unit"))
            policies[(policy.kind, policy.category_id)] = limits
        parents = dict(Category.objects.values_list("id", "parent_id"))
        return cls(policies=policies, parents=parents, calendar=work_calendar())

    def _lineage(self, category_id: int | None) -> list[int | None]:
        """The category, its parent, … its root, then None (any category)."""
        lineage, seen = [], set()
        while category_id is not None and category_id not in seen:
            seen.add(category_id)
            lineage.append(category_id)
            category_id = self._parents.get(category_id)
        return [*lineage, None]

    def limits(self, *, category_id: int | None, kind: str = "") -> Limits:
        """Each limit from the most specific policy that sets it: the closest
        category first (the category, its parent, … then any category), and at
        each step the kind's policy before the kind-less one."""
        key = (category_id, kind or "")
        if key not in self._resolved:
            kinds = [kind, ""] if kind else [""]
            found = {}
            for cat in self._lineage(category_id):
                for policy_kind in kinds:
                    for measure, limit in self._policies.get((policy_kind, cat), {}).items():
                        found.setdefault(measure, limit)
            self._resolved[key] = Limits(**found)
        return self._resolved[key]

    def due(self, start: dt.datetime, limit: Limit | None) -> dt.datetime | None:
        if limit is None:
            return None
        return self.calendar.add(start, limit.amount, limit.unit)

    def appeal_deadlines(
        self, *, received_at: dt.datetime, category_id: int | None, kind: str = ""
    ) -> AppealDeadlines:
        limits = self.limits(category_id=category_id, kind=kind)
        return AppealDeadlines(
            acknowledge_due=self.due(received_at, limits.acknowledge),
            respond_due=self.due(received_at, limits.respond),
        )

    def settle_due(
        self, *, start: dt.datetime, kind: str, category_id: int | None
    ) -> dt.datetime | None:
        """When an item of this kind and category must be settled, counted
        from `start` (its creation: a claim's application); None without a limit."""
        return self.due(start, self.limits(category_id=category_id, kind=kind).settle)


# The policies and the calendar change seldom and are read for every appeal
# received: each process keeps the book it loaded, and loads it again when a
# policy, calendar or category is saved or deleted (a stamp in the cache, which
# all processes share when SHISHI_CACHE_URL names one) and at the latest after
# BOOK_MAX_AGE seconds (a per-process cache shares no stamp).
BOOK_STAMP_KEY = "service_levels:book-stamp"
BOOK_MAX_AGE = 60
_held: tuple[str, float, PolicyBook] | None = None


def current_book() -> PolicyBook:
    """The policies and calendar in force, loaded at most once per change."""
    global _held
    stamp = cache.get(BOOK_STAMP_KEY)
    held = _held
    if stamp is not None and held is not None and held[0] == stamp:
        if time.monotonic() - held[1] < BOOK_MAX_AGE:
            return held[2]
    if stamp is None:
        cache.add(BOOK_STAMP_KEY, uuid.uuid4().hex, timeout=None)
        stamp = cache.get(BOOK_STAMP_KEY, "")
    book = PolicyBook.load()
    _held = (stamp, time.monotonic(), book)
    return book


def book_changed(**_signal) -> None:
    """A policy, calendar day or category changed: every process loads the
    book again. Now, for this transaction's own next appeal, and once more
    when it commits, for processes that loaded it before the commit."""

    def renew() -> None:
        cache.set(BOOK_STAMP_KEY, uuid.uuid4().hex, timeout=None)

    renew()
    transaction.on_commit(renew)


def appeal_deadlines(
    *,
    received_at: dt.datetime,
    category_id: int | None,
    kind: str = "",
    book: PolicyBook | None = None,
) -> AppealDeadlines:
    """acknowledge_due and respond_due of an appeal received at `received_at`
    in this category (and, once accepted into an item, of the item's kind).
    Pass a `PolicyBook` when computing many."""
    book = book or current_book()
    return book.appeal_deadlines(received_at=received_at, category_id=category_id, kind=kind)


def item_settle_due(
    *, start: dt.datetime, kind: str, category_id: int | None, book: PolicyBook | None = None
) -> dt.datetime | None:
    return (book or current_book()).settle_due(start=start, kind=kind, category_id=category_id)
