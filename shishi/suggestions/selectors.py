"""Suggestions for a clerk, computed per request from the loaded models (see
store.py): a category with its confidence, likely duplicates and related
appeals, open items to merge into, a lead unit; hot issues among the appeals
waiting to be combed; appeals that look related to an item. Suggestions are
never stored and never applied: the clerk confirms them through the intake
services, and those confirmations are what the next training learns from.

Each function costs a fixed number of queries whatever the page's size."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field, replace

import numpy as np
from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, Max
from django.utils import timezone

from shishi.categories.models import Category
from shishi.combing import LOW_CONFIDENCE, Router, appeal_text, hot_issues, matter_clusters
from shishi.intake.models import Appeal, AppealStatus
from shishi.ledger.models import LedgerItem
from shishi.org.models import Unit

from . import store

log = logging.getLogger("shishi.suggestions")

TODO_STATUSES = [AppealStatus.RECEIVED, AppealStatus.TRIAGED]
# How many of each kind of suggestion a page lists.
SHOWN = 5
# Hot issues: up to this many waiting appeals are clustered afresh whenever
# they change; more are cached for HOT_CACHE_SECONDS.
HOT_FRESH_MAX = 500
HOT_CACHE_SECONDS = 10 * 60
# Runners-up less likely than this are not worth a clerk's glance.
ALTERNATIVE_MIN = 0.05
# A guess is never shown as certain: 99.6% would round to 100%.
PERCENT_SHOWN_MAX = 99


class _Confident:
    """What a suggestion with a `confidence` shows of it."""

    confidence: float

    @property
    def low_confidence(self) -> bool:
        return self.confidence < LOW_CONFIDENCE

    @property
    def percent(self) -> int:
        return min(round(self.confidence * 100), PERCENT_SHOWN_MAX)


@dataclass(frozen=True)
class CategorySuggestion(_Confident):
    category: Category
    confidence: float


@dataclass(frozen=True)
class UnitSuggestion(_Confident):
    unit: Unit
    confidence: float


@dataclass(frozen=True)
class Similar:
    """A stored appeal or item like the one read, with the share of text in common."""

    obj: object
    score: float

    @property
    def percent(self) -> int:
        return round(min(self.score, 1.0) * 100)


@dataclass
class AppealSuggestions:
    version: int = 0
    categories: list[CategorySuggestion] = field(default_factory=list)
    duplicates: list[Similar] = field(default_factory=list)
    related: list[Similar] = field(default_factory=list)
    items: list[Similar] = field(default_factory=list)
    lead_units: list[UnitSuggestion] = field(default_factory=list)

    @property
    def category(self) -> CategorySuggestion | None:
        return self.categories[0] if self.categories else None

    @property
    def any(self) -> bool:
        return bool(
            self.categories or self.duplicates or self.related or self.items or self.lead_units
        )


def _categories(ranked: list[list[tuple[str, float]]]) -> list[list[CategorySuggestion]]:
    """Engine labels (category pks) to active categories, in one query."""
    pks = {int(label) for row in ranked for label, _ in row}
    found = Category.objects.active().select_related("parent__parent").in_bulk(pks)
    return [
        [CategorySuggestion(found[int(label)], p) for label, p in row if int(label) in found]
        for row in ranked
    ]


def _units(ranked: list[tuple[str, float]]) -> list[UnitSuggestion]:
    found = Unit.objects.lead_units().in_bulk({int(label) for label, _ in ranked})
    return [UnitSuggestion(found[int(label)], p) for label, p in ranked if int(label) in found]


def _mean_top(model, texts: list[str], k: int) -> list[tuple[str, float]]:
    """The top `k` labels of a group of texts by their mean probability."""
    if model is None or not texts:
        return []
    if isinstance(model, Router):
        totals: dict[str, float] = {}
        for row in model.suggest(texts=texts, top=len(model.offices)):
            for label, p in row:
                totals[label] = totals.get(label, 0.0) + p / len(texts)
        return sorted(totals.items(), key=lambda kv: -kv[1])[:k]
    probs = model.probabilities(texts=texts).mean(axis=0)
    order = np.argsort(-probs, kind="stable")[:k]
    return [(str(model.classes_[j]), float(probs[j])) for j in order]


def _worth_showing(ranked: list[tuple[str, float]]) -> list[tuple[str, float]]:
    """The best, and the runners-up that are not negligible."""
    return ranked[:1] + [(label, p) for label, p in ranked[1:] if p >= ALTERNATIVE_MIN]


def for_appeal(appeal: Appeal) -> AppealSuggestions:
    """Everything the appeal page suggests. Never raises: a failing model
    gives no suggestion (logged), not a broken page."""
    try:
        return _for_appeal(appeal)
    except Exception:
        log.exception("suggestions for appeal %s failed", appeal.pk)
        return AppealSuggestions()


def _for_appeal(appeal: Appeal) -> AppealSuggestions:
    models = store.models()
    text = appeal_text(appeal.title, appeal.body)
    out = AppealSuggestions(version=models.version)
    if models.classifier is not None:
        ranked = models.classifier.top_k(texts=[text], k=3)[0]
        out.categories = _categories([_worth_showing(ranked)])[0]
    if models.router is not None:
        out.lead_units = _units(_worth_showing(models.router.suggest(texts=[text], top=3)[0]))
    try:
        with models.lock:
            found = models.appeals.search(text=text, limit=SHOWN * 2, exclude=appeal.pk)
            item_matches = models.items.search(text=text, limit=SHOWN)
    except Exception:  # the category and the unit are still worth showing
        log.exception("similar appeals of appeal %s failed", appeal.pk)
        return out
    scores = {m.id: m.score for m in [*found.related, *found.duplicates]}
    appeals = Appeal.objects.select_related("item").defer("body").in_bulk(scores)
    duplicate_ids = {m.id for m in found.duplicates}
    item_scores: dict[int, float] = {
        m.id: m.score for m in [*item_matches.duplicates, *item_matches.related]
    }
    for pk, score in sorted(scores.items(), key=lambda kv: -kv[1]):
        other = appeals.get(pk)
        if other is None or other.pk == appeal.pk:
            continue
        target = out.duplicates if pk in duplicate_ids else out.related
        if len(target) < SHOWN:
            target.append(Similar(other, score))
        # An item that similar appeals went into is related too.
        if other.item_id and other.item.takes_appeals:
            item_scores[other.item_id] = max(item_scores.get(other.item_id, 0.0), score)
    if appeal.item_id:
        item_scores.pop(appeal.item_id, None)
    items = (
        LedgerItem.objects.taking_appeals()
        .select_related("lead_unit", "category")
        .in_bulk(item_scores)
    )
    ranked = sorted(item_scores.items(), key=lambda kv: -kv[1])
    out.items = [Similar(items[pk], s) for pk, s in ranked if pk in items][:SHOWN]
    return out


def categories_for_rows(appeals: list[Appeal]) -> dict[int, CategorySuggestion]:
    """The suggested category of each queue row that has none yet, by appeal
    pk: one query for the rows' texts (the queue leaves the bodies out), one
    for the categories, one batch through the classifier."""
    wanted = [a.pk for a in appeals if a.category_id is None]
    if not wanted:
        return {}
    try:
        models = store.models(fresh=False)  # the classifier alone: no index needed
        if models.classifier is None:
            return {}
        rows = Appeal.objects.filter(pk__in=wanted).values_list("pk", "title", "body")
        rows = list(rows)
        ranked = models.classifier.top_k(texts=[appeal_text(t, b) for _, t, b in rows], k=1)
        suggested = _categories(ranked)
        return {pk: s[0] for (pk, _, _), s in zip(rows, suggested, strict=True) if s}
    except Exception:
        log.exception("queue suggestions failed")
        return {}


# ------------------------------------------------------------------ hot issues


@dataclass
class HotIssueView:
    rank: int
    heat: float
    title: str
    places: list[str]
    start: dt.datetime | None
    end: dt.datetime | None
    appeals: list[tuple[int, str, str]]  # (pk, tracking number, title)
    count: int
    residents: int
    category: CategorySuggestion | None
    lead_unit: UnitSuggestion | None

    @property
    def appeal_ids(self) -> str:
        return ",".join(str(pk) for pk, _, _ in self.appeals)


def waiting_appeals(*, days: int):
    """The appeals still to comb: received or triaged, in no item, received
    in the last `days` days."""
    since = timezone.now() - dt.timedelta(days=days)
    return Appeal.objects.filter(
        status__in=TODO_STATUSES, item__isnull=True, received_at__gte=since
    )


def hot(*, days: int | None = None, limit: int | None = None) -> tuple[list[HotIssueView], dict]:
    """Clusters of the waiting appeals (the newest SHISHI_HOT_ISSUES_MAX),
    ranked by the engine's heat index.

    Clustering takes about 1.5 ms of CPU per appeal, so it is cached: up to
    `HOT_FRESH_MAX` waiting appeals, until one is added or leaves the waiting
    set; above that, for `HOT_CACHE_SECONDS`, and the appeals combed
    meanwhile are taken out of the cached issues as they are read."""
    days = days or settings.SHISHI_HOT_ISSUES_DAYS
    limit = limit or settings.SHISHI_HOT_ISSUES_MAX
    waiting = waiting_appeals(days=days)
    shape = waiting.aggregate(n=Count("pk"), newest=Max("pk"))
    info = {"waiting": shape["n"], "days": days, "clustered": min(shape["n"], limit)}
    state = f"{shape['n']}:{shape['newest']}" if shape["n"] <= HOT_FRESH_MAX else "busy"
    key = f"suggestions:hot:{days}:{limit}:{state}:{store.current_version()}"
    cached = cache.get(key)
    if cached is not None:
        return (_still_waiting(cached, waiting) if state == "busy" else cached), info
    rows = list(
        waiting.order_by("-received_at", "-pk").values_list(
            "pk",
            "tracking_number",
            "title",
            "body",
            "received_at",
            "submitter_id",
            "submitter_phone",
            "submitter_name",
        )[:limit]
    )
    try:
        issues = _hot_issues(rows) if len(rows) >= 2 else []
    except Exception:
        log.exception("hot issues failed")
        return [], {**info, "failed": True}
    cache.set(key, issues, HOT_CACHE_SECONDS)
    return issues, info


def _still_waiting(issues: list[HotIssueView], waiting) -> list[HotIssueView]:
    """The cached issues less the appeals combed since (one query)."""
    pks = [pk for issue in issues for pk, _, _ in issue.appeals]
    left = set(waiting.filter(pk__in=pks).values_list("pk", flat=True))
    out = []
    for issue in issues:
        appeals = [a for a in issue.appeals if a[0] in left]
        if len(appeals) >= 2:
            residents = min(issue.residents, len(appeals))
            out.append(replace(issue, appeals=appeals, count=len(appeals), residents=residents))
    return out


def _hot_issues(rows: list[tuple]) -> list[HotIssueView]:
    texts = [appeal_text(r[2], r[3]) for r in rows]
    # Matters, not topics: the decision of the duplicate suggestions and of
    # `shishi cluster --hot-issues` (one engine, one threshold).
    labels = matter_clusters(texts)
    users = [
        f"u{r[5]}" if r[5] else (f"p{r[6]}" if r[6] else (f"n{r[7]}" if r[7] else f"a{r[0]}"))
        for r in rows
    ]
    found = hot_issues(
        labels=labels,
        ids=[str(r[0]) for r in rows],
        titles=[r[2] for r in rows],
        texts=texts,
        users=users,
        times=[r[4] for r in rows],
        min_size=2,
    )
    models = store.models(fresh=False)
    by_pk = {r[0]: (r, t) for r, t in zip(rows, texts, strict=True)}
    issues = []
    groups = []
    for issue in found:
        members = [by_pk[int(i)] for i in issue.ids]
        members.sort(key=lambda m: m[0][4])  # oldest first, as the new item lists them
        member_texts = [t for _, t in members]
        groups.append(
            (
                _mean_top(models.classifier, member_texts, 1),
                _mean_top(models.router, member_texts, 1),
            )
        )
        issues.append((issue, members))
    categories = _categories([c for c, _ in groups])
    units = _units([u[0] for _, u in groups if u])
    unit_by_pk = {str(s.unit.pk): s for s in units}
    out = []
    for (issue, members), cats, (_, unit) in zip(issues, categories, groups, strict=True):
        lead = unit_by_pk.get(unit[0][0]) if unit else None
        if lead is not None:
            lead = UnitSuggestion(lead.unit, unit[0][1])
        out.append(
            HotIssueView(
                rank=issue.rank,
                heat=issue.heat,
                title=issue.matter or issue.title,
                places=issue.places,
                start=issue.start,
                end=issue.end,
                appeals=[(r[0], r[1], r[2]) for r, _ in members],
                count=issue.appeals,
                residents=issue.residents,
                category=cats[0] if cats else None,
                lead_unit=lead,
            )
        )
    return out


# ---------------------------------------------------------------- one item


def appeals_for_item(item: LedgerItem) -> list[Similar]:
    """Appeals still waiting to be combed whose text looks like this item's
    (title, targets, description), best first."""
    try:
        from .texts import item_texts

        models = store.models()
        text = item_texts([item])[0]
        with models.lock:
            found = models.appeals.search(text=text, limit=SHOWN * 4)
        scores = {m.id: m.score for m in [*found.duplicates, *found.related]}
        waiting = (
            Appeal.objects.filter(pk__in=scores, status__in=TODO_STATUSES, item__isnull=True)
            .defer("body")
            .in_bulk()
        )
        ranked = sorted(scores.items(), key=lambda kv: -kv[1])
        return [Similar(waiting[pk], s) for pk, s in ranked if pk in waiting][: SHOWN * 2]
    except Exception:
        log.exception("related appeals of item %s failed", item.pk)
        return []
