"""Training: the category classifier, the lead-unit router and the duplicate
indexes, built from what the installation stored, then saved as a new version
(see store.py). Run by the "suggestions.train" task and `shishi suggestions
train`; nothing here runs during a request.

What each learns from, newest first and capped for a city's volume (settings):

- classifier: appeals whose category staff set (triaged, imported with one, or
  taken into an item), at most SHISHI_SUGGESTIONS_TRAIN_MAX; the active
  category tree as pseudo-appeals; at most SHISHI_SUGGESTIONS_UNLABELLED_MAX
  appeals without a category (TF-IDF statistics, self-training). With
  fewer than two categories among the labels it learns from the tree's roots
  alone (day one). Its confidence is calibrated on the newest fifth of the
  labels (from CALIBRATION_HOLDOUT_MIN of them).
- router: appeals taken into an item with a lead unit (→ that unit), and
  appeals answered directly whose answer names an office that maps to a unit
  (`texts.UnitMatcher`); at most SHISHI_SUGGESTIONS_TRAIN_MAX. Units with
  fewer than three such appeals are not suggested.
- indexes: the newest SHISHI_SUGGESTIONS_INDEX_MAX appeals; the items that
  still take appeals.
"""

from __future__ import annotations

import resource
import time
from collections import Counter

from django.conf import settings
from django.utils import timezone

from shishi.categories.models import Category
from shishi.combing import Classifier, DuplicateIndex, Router, appeal_text, extract_office
from shishi.intake.models import Appeal, AppealStatus
from shishi.ledger.models import LedgerItem
from shishi.org.models import Unit

from . import store
from .texts import UnitMatcher, item_texts, taxonomy_rows

_CHUNK = 10_000
# With this many labelled appeals or more, the classifier's confidence is
# calibrated on the newest fifth (a time split) rather than by cross-validation.
CALIBRATION_HOLDOUT_MIN = 100


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def classifier_train(*, limit: int, unlabelled_limit: int) -> tuple[Classifier | None, dict]:
    rows = list(
        Appeal.objects.filter(category__isnull=False, category__is_active=True)
        .order_by("-pk")
        .values_list("title", "body", "category_id")[:limit]
    )
    texts = [appeal_text(t, b) for t, b, _ in rows]
    labels = [str(c) for _, _, c in rows]
    unlabelled = [
        appeal_text(t, b)
        for t, b in Appeal.objects.filter(category__isnull=True)
        .order_by("-pk")
        .values_list("title", "body")[:unlabelled_limit]
    ]
    tree = list(Category.objects.all())
    day_one = len(set(labels)) < 2
    if day_one:
        texts, labels = [], []
    taxonomy = taxonomy_rows(tree, roots_only=day_one)
    info = {"labelled": len(texts), "unlabelled": len(unlabelled), "taxonomy_rows": len(taxonomy)}
    try:
        # Newest first: the confidence is calibrated on the newest fifth, by a
        # model trained on the older rows (appeals to come are like the newest).
        model = Classifier().fit(
            texts=texts,
            labels=labels,
            unlabelled=unlabelled,
            taxonomy=taxonomy,
            holdout=len(texts) // 5 if len(texts) >= CALIBRATION_HOLDOUT_MIN else 0,
        )
    except ValueError as error:  # fewer than two categories in all
        return None, {**info, "classifier": str(error)}
    return model, {**info, "categories": len(model.classes_)}


def router_train(*, limit: int) -> tuple[Router | None, dict]:
    accepted = list(
        Appeal.objects.filter(item__lead_unit__isnull=False)
        .order_by("-pk")
        .values_list("title", "body", "item__lead_unit_id")[:limit]
    )
    texts = [appeal_text(t, b) for t, b, _ in accepted]
    offices: list[str | None] = [str(u) for _, _, u in accepted]
    matcher = UnitMatcher(list(Unit.objects.active()))
    answered = (
        Appeal.objects.filter(status=AppealStatus.ANSWERED)
        .exclude(status_note="")
        .order_by("-pk")
        .values_list("title", "body", "status_note")[: max(0, limit - len(accepted))]
    )
    named = 0
    for title, body, answer in answered.iterator(chunk_size=2000):
        office = extract_office(answer)
        if office is None:
            continue
        named += 1
        unit = matcher.unit_for(office)
        if unit is not None:
            texts.append(appeal_text(title, body))
            offices.append(str(unit.pk))
    unmatched = Counter(matcher.unmatched).most_common()
    info = {
        "routed_from_items": len(accepted),
        "routed_from_answers": len(texts) - len(accepted),
        "answers_naming_an_office": named,
        "offices_unmatched": len(unmatched),
        "offices_unmatched_top": [f"{name} ×{n}" for name, n in unmatched[:10]],
    }
    try:
        return Router().fit(texts=texts, offices=offices), info
    except ValueError as error:  # fewer than two units with enough history
        return None, {**info, "router": str(error)}


def appeal_index_build(*, limit: int) -> tuple[DuplicateIndex, int]:
    index = DuplicateIndex()
    newest = Appeal.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    batch: list[tuple] = []
    rows = (
        Appeal.objects.filter(pk__lte=newest)
        .order_by("-pk")
        .values_list("pk", "title", "body")[:limit]
    )
    for row in rows.iterator(chunk_size=2000):
        batch.append(row)
        if len(batch) >= _CHUNK:
            index.add(texts=[appeal_text(t, b) for _, t, b in batch], ids=[r[0] for r in batch])
            batch = []
    if batch:
        index.add(texts=[appeal_text(t, b) for _, t, b in batch], ids=[r[0] for r in batch])
    return index, newest


def item_index_build() -> tuple[DuplicateIndex, int]:
    index = DuplicateIndex()
    newest = LedgerItem.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    items = list(
        LedgerItem.objects.taking_appeals()
        .filter(pk__lte=newest)
        .order_by("-pk")
        .prefetch_related("targets")[: settings.SHISHI_SUGGESTIONS_INDEX_MAX]
    )
    if items:
        index.add(texts=item_texts(items), ids=[item.pk for item in items])
    return index, newest


def suggestions_train() -> dict:
    """Build every model and index and save them as the current version.
    Returns what was learnt from, for the task's record and the command."""
    started, cpu = time.monotonic(), _cpu()
    limit = settings.SHISHI_SUGGESTIONS_TRAIN_MAX
    classifier, info = classifier_train(
        limit=limit, unlabelled_limit=settings.SHISHI_SUGGESTIONS_UNLABELLED_MAX
    )
    router, routing = router_train(limit=limit)
    appeals, appeals_upto = appeal_index_build(limit=settings.SHISHI_SUGGESTIONS_INDEX_MAX)
    items, items_upto = item_index_build()
    result = {
        **info,
        **routing,
        "indexed_appeals": len(appeals),
        "indexed_items": len(items),
        "appeals_upto": appeals_upto,
        "items_upto": items_upto,
        "built_at": timezone.now().isoformat(),
    }
    result["version"] = store.save(
        meta=result, classifier=classifier, router=router, appeals=appeals, items=items
    )
    result["train_seconds"] = round(time.monotonic() - started, 2)
    result["train_cpu_seconds"] = round(_cpu() - cpu, 2)
    return result
